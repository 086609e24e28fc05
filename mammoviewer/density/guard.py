"""Is this film a mammogram? The one rule that keeps density, detection and the case score off a CT,
an ultrasound or a leg film.

A film is refused (:class:`~mammoviewer.errors.NotMammogramError`, one line naming the file) when

1. it is DICOM and its Modality is not ``MG``, unless its Body Part Examined is ``BREAST`` (digitised
   screen-film mammograms are often stored as ``RG``, ``OT`` or ``SC`` secondary captures, e.g. the DDSM
   films of the NEMA WG04 set); or
2. no breast is found: the breast mask (:func:`mammoviewer.detect.breast_mask.breast_mask`, on the
   display rendering) covers less than :data:`MIN_BREAST_FRACTION` of the film or less than
   :data:`MIN_BREAST_CM2`.

PGM, PNG and TIFF carry no modality, so only the second test applies to them. A film too small to be
a film at all (a side under :data:`MIN_SIDE` pixels) is left to the models' own input check.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mammoviewer.detect.breast_mask import breast_mask
from mammoviewer.detect.preprocess import render_for_model, resample, spacing_of
from mammoviewer.errors import NotMammogramError
from mammoviewer.io.image import Image

#: the least share of the film the breast must cover (mini-MIAS films: 10 % and more, see models/README.md)
MIN_BREAST_FRACTION = 0.04
#: the least breast area in cm² (a small compressed breast is about 50 cm²)
MIN_BREAST_CM2 = 15.0
#: the pixel size in mm at which the guard looks for the breast (the breast mask's own working size)
GUARD_MM = 1.6
#: the shortest side, in pixels, a film holding a breast can have
MIN_SIDE = 16

MODALITY_NAMES = {
    "CT": "computed tomography", "US": "ultrasound", "CR": "computed radiography", "DX": "digital radiography",
    "MR": "magnetic resonance", "NM": "nuclear medicine", "PT": "PET", "XA": "angiography", "RF": "fluoroscopy",
    "OT": "other", "SC": "secondary capture", "RG": "radiographic imaging", "IO": "intra-oral radiography",
    "PX": "panoramic X-ray", "OP": "ophthalmic photography", "SM": "slide microscopy",
}


def modality_problem(image: Image) -> str | None:
    """Why ``image``'s DICOM header says it is not a mammogram, or None."""
    modality = (image.modality or "").strip().upper()
    if image.format != "dicom" or not modality or modality == "MG":
        return None
    body = str(image.metadata.get("BodyPartExamined", "") or "").strip().upper()
    if body == "BREAST":
        return None
    name = MODALITY_NAMES.get(modality)
    what = f"{modality} ({name})" if name else modality
    part = f", body part {body}" if body else ""
    return f"not a mammogram: DICOM Modality {what}{part}, not MG"


def breast_problem(mask: np.ndarray, pixel_mm: float) -> str | None:
    """Why the breast ``mask`` (at ``pixel_mm`` per pixel) shows no breast, or None."""
    if mask.size == 0 or not mask.any():
        return "not a mammogram: no breast found on the film"
    share = float(mask.mean())
    area_cm2 = float(mask.sum()) * pixel_mm * pixel_mm / 100.0
    if share < MIN_BREAST_FRACTION or area_cm2 < MIN_BREAST_CM2:
        return (f"not a mammogram: no breast found on the film (the largest tissue region covers "
                f"{100 * share:.1f} % of it, {area_cm2:.0f} cm²)")
    return None


def guard_mask(image: Image) -> tuple[np.ndarray, float]:
    """The breast mask of ``image`` at about :data:`GUARD_MM` per pixel and that pixel size in mm."""
    spacing, _ = spacing_of(image)
    pixel_mm = max(GUARD_MM, min(spacing))  # never upsample a coarse film
    step = max(1, int(pixel_mm / max(spacing) / 2))  # every step-th pixel (half the working size): fast
    if step > 1:
        image = replace(image, pixels=image.pixels[::step, ::step])
        spacing = (spacing[0] * step, spacing[1] * step)
    small, _, _ = resample(render_for_model(image), spacing, pixel_mm)
    return breast_mask(small, pixel_mm), pixel_mm


def mammogram_problem(image: Image) -> str | None:
    """Why ``image`` is not a mammogram (the module's two tests), or None when it may be graded."""
    problem = modality_problem(image)
    if problem is not None:
        return problem
    if image.pixels.ndim != 2 or min(image.rows, image.columns) < MIN_SIDE:
        return None  # not a film at all: the models' own check (detect.input_guard.check_film) says so
    return breast_problem(*guard_mask(image))


def check_mammogram(image: Image) -> None:
    """Raise :class:`NotMammogramError` (``"<path>: not a mammogram: ..."``) unless ``image`` may be graded."""
    problem = mammogram_problem(image)
    if problem is not None:
        raise NotMammogramError(f"{image.path}: {problem}")

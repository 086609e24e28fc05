"""The other breast as an input plane: the patient's contralateral film, mirrored and coarsely aligned.

A reader judges asymmetry and distortion against the other side. A model whose card lists the
``"contralateral"`` input gets, beside the film, the same patient's other film of the same view
(found by :func:`mammoviewer.studies.pairing.contralateral_path`), brought to the model's pixel size
through the same display pipeline, mirrored left-right, and stretched so that its breast's bounding
box falls on the film's (each axis by at most :data:`MAX_STRETCH`). It is blurred by
:data:`BLUR_MM`: the alignment is coarse, so only the distribution of dense tissue is compared.

Without a readable other film the plane is the film itself, blurred the same way: the model sees a
perfectly symmetric pair, that is, no evidence from the other side.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Gaussian sigma in mm of the other film's plane (and of the film in the fallback plane)
BLUR_MM = 2.0
#: the most the other breast's bounding box is stretched (or shrunk) along either axis to fit the film's
MAX_STRETCH = 1.25


@dataclass(frozen=True, slots=True)
class OtherPlane:
    """The plane and where it came from."""

    plane: np.ndarray  # float32, the film's shape, [0, 1]
    source: str | None  # path of the other film, or None when the film itself stood in


def blurred(plane: np.ndarray, pixel_mm: float) -> np.ndarray:
    sigma = BLUR_MM / pixel_mm
    return cv2.GaussianBlur(plane.astype(np.float32), (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)


def _box(mask: np.ndarray) -> tuple[float, float, float, float] | None:
    rows, cols = np.nonzero(mask)
    if rows.size < 16:
        return None
    return float(cols.min()), float(rows.min()), float(cols.max() + 1), float(rows.max() + 1)


def aligned(film: np.ndarray, other: np.ndarray, pixel_mm: float) -> np.ndarray:
    """``other`` (float [0, 1] at the film's pixel size) mirrored and fitted onto ``film``'s breast, blurred."""
    from mammoviewer.detect.breast_mask import breast_mask

    other = np.ascontiguousarray(other[:, ::-1], dtype=np.float32)
    own, theirs = _box(breast_mask(film, pixel_mm)), _box(breast_mask(other, pixel_mm))
    if own is None or theirs is None:
        matrix = np.float32([[1, 0, 0], [0, 1, 0]])
    else:
        scale = [float(np.clip((own[i + 2] - own[i]) / max(theirs[i + 2] - theirs[i], 1.0),
                               1 / MAX_STRETCH, MAX_STRETCH)) for i in (0, 1)]
        shift = [(own[i] + own[i + 2]) / 2 - scale[i] * (theirs[i] + theirs[i + 2]) / 2 for i in (0, 1)]
        matrix = np.float32([[scale[0], 0, shift[0]], [0, scale[1], shift[1]]])
    warped = cv2.warpAffine(other, matrix, (film.shape[1], film.shape[0]), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    return np.clip(blurred(warped, pixel_mm), 0.0, 1.0)


def other_plane(image, film: np.ndarray, pixel_mm: float, find: bool = True) -> OtherPlane:
    """The contralateral plane for ``image``, whose film resampled to ``pixel_mm`` (unpadded) is ``film``
    (``find=False``: do not look for the other film; the film stands in)."""
    from mammoviewer.detect.input_guard import check_film
    from mammoviewer.detect.preprocess import render_for_model, resample, spacing_of
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.io import load_image
    from mammoviewer.studies.pairing import contralateral_path

    path = contralateral_path(image) if find else None
    if path is not None:
        try:
            other = load_image(path)
            spacing, assumed = spacing_of(other)
            check_film(other, spacing, assumed, pixel_mm)
            arr, _, _ = resample(render_for_model(other), spacing, pixel_mm)
            return OtherPlane(aligned(film, np.clip(arr, 0.0, 1.0), pixel_mm), str(path))
        except MammoViewerError:
            pass  # an unreadable other film: the film stands in, as when there is none
    return OtherPlane(np.clip(blurred(film, pixel_mm), 0.0, 1.0), None)

"""Grayscale Softcopy Presentation State with an image's findings as rectangles and labelled text.

One presentation state (SOP class 1.2.840.10008.5.1.4.1.1.11.1) per image, referencing it, so
PACS viewers (Weasis, OHIF) draw the reader's findings over the original image. Each finding
is a closed POLYLINE rectangle in pixel coordinates and a text such as "malignant mass",
with the model's score and name for model findings. Malignant and benign findings are on
two graphic layers (red and yellow). The image's own windows are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mammoviewer import __version__
from mammoviewer.formats.cad_sr import MANUFACTURER, rectangle
from mammoviewer.review.records import Finding

GSPS = "1.2.840.10008.5.1.4.1.1.11.1"
#: label -> (layer name, CIELab display colour)
LAYERS = {"malignant": ("MALIGNANT", (53.0, 80.0, 67.0)), "benign": ("BENIGN", (97.0, -21.0, 94.0))}


def finding_text(f: Finding) -> str:
    """The label drawn beside a finding, e.g. ``"malignant mass 0.87 idbll-light 1.2"``."""
    parts = [f.label] + ([f.finding_type] if f.finding_type else [])
    if f.source == "model":
        if f.score is not None:
            parts.append(f"{f.score:.2f}")
        parts.append(" ".join(p for p in (f.model_name, f.model_version) if p) or "model")
        if f.status == "pending":
            parts.append("(pending)")
    else:
        parts.append(f"({f.source})")
    return " ".join(parts)


def _text_box(f: Finding, rows: int, columns: int) -> tuple[float, float, float, float]:
    """A text box just above the finding (below it at the top edge), inside the image."""
    height = max(8.0, rows * 0.025)
    x0, y0, x1, y1 = f.box.as_tuple()
    left = min(max(0.0, x0), columns - 1.0)
    right = min(float(columns), max(x1, left + height * 8))
    if y0 - height >= 0:
        top, bottom = y0 - height, y0
    else:
        top, bottom = min(y1, rows - height), min(y1 + height, float(rows))
    return (left, max(0.0, top), max(right, left + 1.0), max(bottom, top + 1.0))


def _values(v: Any) -> list[Any]:
    """A DICOM value of multiplicity one or more as a list."""
    return [v] if isinstance(v, (str, int, float)) else list(v)


def _windows(image: Any) -> list[Any] | None:
    """The image's windows (and VOI LUT function) as the state's VOI transformation, or None (no windows).

    Built here rather than copied by highdicom, which refuses images that carry both windows and a
    VOI LUT Sequence (as GE's For Presentation mammograms do); the windows are kept, the LUTs not.
    """
    from highdicom.pr import SoftcopyVOILUTTransformation

    if image.get("WindowCenter") is None or image.get("WindowWidth") is None:
        return None
    centers = [float(c) for c in _values(image.WindowCenter)]
    widths = [float(w) for w in _values(image.WindowWidth)]
    n = min(len(centers), len(widths))
    if n == 0:
        return None
    explanation = [str(e) for e in _values(image.get("WindowCenterWidthExplanation") or [])]
    function = str(image.get("VOILUTFunction") or "")
    one = (lambda v: v[:n] if n > 1 else v[0])  # noqa: E731 - one value, or the list of n
    return [SoftcopyVOILUTTransformation(
        window_center=one(centers), window_width=one(widths),
        window_explanation=one(explanation) if len(explanation) >= n else None,
        voi_lut_function=function if function in ("LINEAR", "LINEAR_EXACT", "SIGMOID") else None,
    )]  # fmt: skip


def build_gsps(image: Any, findings: Sequence[Finding], series_uid: str, label: str = "FINDINGS",
               series_number: int = 9002, instance_number: int = 1) -> Any:  # fmt: skip
    """A GSPS dataset for ``image`` (its header) drawing ``findings``; new series ``series_uid``."""
    from highdicom.color import CIELabColor
    from highdicom.pr import (
        GraphicAnnotation, GraphicLayer, GraphicObject, GrayscaleSoftcopyPresentationState, TextObject,
    )  # fmt: skip
    from pydicom.uid import generate_uid

    rows, columns = int(image.Rows), int(image.Columns)
    layers = {k: GraphicLayer(name, order=i + 1, description=f"{k} findings", display_color=CIELabColor(*lab))
              for i, (k, (name, lab)) in enumerate(LAYERS.items())}  # fmt: skip
    annotations = []
    for key, layer in layers.items():
        mine = [f for f in findings if f.label == key]
        if not mine:
            continue
        annotations.append(GraphicAnnotation(
            referenced_images=[image], graphic_layer=layer,
            graphic_objects=[GraphicObject("POLYLINE", rectangle(f.box, rows, columns), units="PIXEL") for f in mine],
            text_objects=[TextObject(finding_text(f), units="PIXEL", bounding_box=_text_box(f, rows, columns))
                          for f in mine],
        ))  # fmt: skip
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # highdicom warns on non-standard patient names of real files
        return GrayscaleSoftcopyPresentationState(
            referenced_images=[image], series_instance_uid=series_uid, series_number=series_number,
            sop_instance_uid=generate_uid(), instance_number=instance_number, manufacturer=MANUFACTURER,
            manufacturer_model_name=MANUFACTURER, software_versions=__version__, device_serial_number="0",
            content_label=label, content_description="MammoViewer findings",
            graphic_layers=[layers[k] for k in LAYERS if any(f.label == k for f in findings)] or None,
            graphic_annotations=annotations or None, voi_lut_transformations=_windows(image),
        )  # fmt: skip

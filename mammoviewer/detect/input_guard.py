"""Checks of a film and a model card before TensorFlow or OpenCV allocates anything for them.

TensorFlow and OpenCV abort the whole process (``std::bad_alloc``) when asked for an absurd tensor;
these checks refuse such inputs with a ``DetectorError`` naming the file, the value and the limit,
so a bad film never reaches a native path that could take the window down.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mammoviewer.errors import DetectorError
from mammoviewer.io.image import Image
from mammoviewer.io.limits import MAX_IMAGE_PIXELS

#: the pixel spacings a film for a model may have, in mm (mammograms: 0.05 to 0.2; MIAS 0.2)
MIN_SPACING_MM, MAX_SPACING_MM = 1e-3, 10.0
#: the longest side may be at most this many times the shortest (a mammogram is about 1.3)
MAX_ASPECT = 8.0
#: the shortest side of a film, in pixels
MIN_SIDE = 16
#: the most pixels a model input may have (8192 x 8192)
MAX_MODEL_PIXELS = 1 << 26
#: the longest side of a model input, in pixels
MAX_MODEL_SIDE = 16384
#: the most entries a list in a model card may hold (each one is work on every film: a pass, a
#: flip, anchors); the test-time flips are also each distinct, so at most three
MAX_CARD_LIST = {"tta": 3, "scales": 4, "inputs": 8, "labels": 16, "anchors.strides": 8, "anchors.sizes": 8,
                 "anchors.ratios": 8, "anchors.variances": 4}  # fmt: skip


def check_film(image: Image, spacing_mm: tuple[float, float], assumed: bool, pixel_mm: float) -> tuple[int, int]:
    """(rows, columns) ``image`` becomes at ``pixel_mm``; DetectorError if it cannot be a film for a model."""
    rows, cols = image.rows, image.columns
    where = f"{image.path}: {cols}x{rows} pixels"
    if image.pixels.ndim != 2 or min(rows, cols) < MIN_SIDE:
        raise DetectorError(f"{where}: too small to be a film (each side needs at least {MIN_SIDE} pixels)")
    if rows * cols > MAX_IMAGE_PIXELS:
        raise DetectorError(f"{where}: larger than the {MAX_IMAGE_PIXELS / 1e6:.0f} million pixels a model takes")
    aspect = max(rows, cols) / min(rows, cols)
    if aspect > MAX_ASPECT:
        raise DetectorError(f"{where}: sides {aspect:.0f} to 1, not a film (at most {MAX_ASPECT:g} to 1)")
    kind = "assumed (the file gives none)" if assumed else "of the file"
    for s in spacing_mm:
        if not (math.isfinite(s) and MIN_SPACING_MM <= s <= MAX_SPACING_MM):
            raise DetectorError(f"{where}: pixel spacing {s:g} mm {kind} is outside "
                                f"{MIN_SPACING_MM:g}..{MAX_SPACING_MM:g} mm")
    new_h = max(1, int(round(rows * spacing_mm[0] / pixel_mm)))
    new_w = max(1, int(round(cols * spacing_mm[1] / pixel_mm)))
    if new_h * new_w > MAX_MODEL_PIXELS or max(new_h, new_w) > MAX_MODEL_SIDE:
        raise DetectorError(f"{where} at {spacing_mm[0]:g} x {spacing_mm[1]:g} mm ({kind}) would be "
                            f"{new_w}x{new_h} model pixels at {pixel_mm:g} mm; too large for the model")
    return new_h, new_w


def _number(card: dict[str, Any], key: str, path: Path, low: float, high: float, default: Any = None) -> None:
    value = card.get(key, default)
    if value is None and default is None and key not in card:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not low <= value <= high:
        raise DetectorError(f"{path}: model card field {key!r} is {_shown(value)}; it must be a number in {low:g}..{high:g}")


def _shown(value: Any) -> str:
    """A card value as a message shows it: at most 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _lists(card: dict[str, Any], path: Path) -> None:
    """DetectorError for a card list longer than :data:`MAX_CARD_LIST` allows, or with repeated flips/scales."""
    anchors = card.get("anchors") if isinstance(card.get("anchors"), dict) else {}
    for key, most in MAX_CARD_LIST.items():
        value = anchors.get(key.split(".", 1)[1]) if key.startswith("anchors.") else card.get(key)
        if isinstance(value, list) and len(value) > most:
            raise DetectorError(f"{path}: model card field {key!r} lists {len(value)} entries ({_shown(value)}); "
                                f"at most {most} are allowed")  # fmt: skip
    for key in ("tta", "scales"):
        value = card.get(key)
        if isinstance(value, list) and len({repr(v) for v in value}) != len(value):
            raise DetectorError(f"{path}: model card field {key!r} is {_shown(value)}; each entry may appear once")


def check_card(card: Any, path: Path) -> None:
    """DetectorError naming the field and its value when a model card holds a wrong type or an absurd number."""
    if not isinstance(card, dict):
        raise DetectorError(f"{path}: not a model card (a JSON object is needed, found {type(card).__name__})")
    _number(card, "pixel_mm", path, MIN_SPACING_MM, MAX_SPACING_MM, default="missing")
    _number(card, "default_threshold", path, 0.0, 1.0)
    _number(card, "nms_iou", path, 0.0, 1.0)
    _number(card, "max_detections", path, 1, 100000)
    _lists(card, path)
    for key in ("cross_class_iou", "containment"):
        if card.get(key) is not None:
            _number(card, key, path, 0.0, 1.0)
    anchors = card.get("anchors")
    if not isinstance(anchors, dict):
        raise DetectorError(f"{path}: model card field 'anchors' is {_shown(anchors)}; it must be an object")
    strides = anchors.get("strides")
    if not isinstance(strides, list) or not strides or not all(
            isinstance(s, int) and not isinstance(s, bool) and 0 < s <= 1024 for s in strides):
        raise DetectorError(f"{path}: model card field 'anchors.strides' is {_shown(strides)}; "
                            "it must be a list of positive integers")
    labels = card.get("labels", ["benign", "malignant"])
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise DetectorError(f"{path}: model card field 'labels' is {_shown(labels)}; it must be a list of names")
    for key in ("inputs", "tta"):
        value = card.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
            raise DetectorError(f"{path}: model card field {key!r} is {_shown(value)}; it must be a list of names")

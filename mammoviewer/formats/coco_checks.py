"""Checks of the values a COCO file brings in, each refusal naming the file, the field and the value."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from mammoviewer.errors import ExportError

#: the farthest a box corner may lie from the origin, in pixels (films are at most 65536 a side)
MAX_COORDINATE = float(1 << 20)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def bbox(annotation: dict[str, Any], width: int, height: int, src: Path) -> tuple[float, float, float, float]:
    """The annotation's ``bbox`` ``[x, y, w, h]`` as corners; ExportError unless it is four finite numbers
    with a positive width and height that overlap the ``width`` x ``height`` image."""
    value = annotation.get("bbox")
    where = f"{src}: malformed COCO file: annotation {annotation.get('id')!r} bbox {_shown(value)}"
    if not isinstance(value, list) or len(value) != 4:
        raise ExportError(f"{where} is not a list [x, y, width, height]")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise ExportError(f"{where} holds a value that is not a number")
    try:
        x, y, w, h = (float(v) for v in value)
    except OverflowError:  # an integer of hundreds of digits
        raise ExportError(f"{where} is not finite") from None
    if not all(math.isfinite(v) for v in (x, y, w, h, x + w, y + h)):
        raise ExportError(f"{where} is not finite")
    if max(abs(x), abs(y), abs(x + w), abs(y + h)) > MAX_COORDINATE:
        raise ExportError(f"{where} reaches beyond ±{MAX_COORDINATE:.0f} pixels")
    if w <= 0 or h <= 0:
        raise ExportError(f"{where} has no area (width and height must be positive)")
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        raise ExportError(f"{where} lies outside its {width}x{height} image")
    return x, y, x + w, y + h


def score(annotation: dict[str, Any], value: Any, src: Path) -> float | None:
    """The annotation's score: None, or a finite number in 0..1; ExportError otherwise (``Infinity``,
    ``1e400`` and ``NaN`` parse as JSON numbers but are not scores)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number) and 0.0 <= number <= 1.0:
            return number
    raise ExportError(f"{src}: malformed COCO file: annotation {annotation.get('id')!r} score {_shown(value)} "
                      "is not a number from 0 to 1")  # fmt: skip


def image_path(images_dir: Path, file_name: Any, src: Path) -> Path:
    """``images_dir / file_name``; ExportError if the name is not a string or leads outside ``images_dir``."""
    if not isinstance(file_name, str) or not file_name.strip():
        raise ExportError(f"{src}: image file_name {_shown(file_name)} is not a file name")
    path = images_dir / file_name
    root = images_dir.resolve()
    try:
        path.is_file()  # a name the system cannot look up (too long, ...) is refused here, once
        inside = path.resolve().is_relative_to(root)
    except (OSError, ValueError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ExportError(f"{src}: image file_name {_shown(file_name)} is not a usable file name ({problem})") from exc
    if not inside:
        raise ExportError(f"{src}: image file_name {file_name!r} lies outside the images folder {images_dir}; "
                          "refused")
    return path


def image_size(image: dict[str, Any], src: Path) -> tuple[int, int] | None:
    """The image's own ``width`` and ``height`` (None when either is absent); ExportError unless positive integers."""
    if not image.get("width") or not image.get("height"):
        return None
    w, h = image["width"], image["height"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v == int(v)
               and 0 < v <= 1 << 20 for v in (w, h)):
        raise ExportError(f"{src}: image {image.get('file_name')!r} width x height {_shown(w)} x {_shown(h)} "
                          "is not two positive integers")
    return int(w), int(h)

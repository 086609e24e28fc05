"""Limits on what a file may declare, checked where values are read, before anything is allocated.

Each check raises ``ImageReadError`` naming the file, the tag or field and the bad value, so a
hostile or broken file gives one line instead of a MemoryError, an OverflowError or a native abort.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

from mammoviewer.errors import ImageReadError

#: the most pixels an image may decode to (8192 x 8192; the largest digital mammograms are ~4096 x 5600)
MAX_IMAGE_PIXELS = 1 << 26
#: the largest pixel spacing a file may give, in mm (a metre per pixel: beyond it the value is garbage;
#: real headers of 1 x 2 pixel stubs carry 75 mm)
MAX_SPACING_MM = 1000.0
#: the smallest pixel spacing a file may give, in mm (0.1 micrometre)
MIN_SPACING_MM = 1e-4
#: the widest VOI LUT entry, in bits (DICOM PS3.3 C.11.2.1.1: 8 to 16)
MAX_LUT_BITS = 16


def check_pixel_count(path: str | Path, width: int, height: int, what: str) -> None:
    """ImageReadError if ``width`` x ``height`` is above :data:`MAX_IMAGE_PIXELS` (a decompression bomb)."""
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageReadError(
            path, f"{what} declares {width}x{height} pixels ({width * height / 1e6:.0f} million), more than the "
            f"{MAX_IMAGE_PIXELS / 1e6:.0f} million this viewer decodes (decompression bomb or corrupt header?)")


def finite_number(path: str | Path, field: str, value: Any) -> float:
    """``value`` as a finite float, else ImageReadError naming ``field`` and the value."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ImageReadError(path, f"{field} is {_shown(value)}, not a number") from None
    if not math.isfinite(number):
        raise ImageReadError(path, f"{field} is {_shown(value)}, not a finite number")
    return number


def pixel_spacing(path: str | Path, field: str, values: Sequence[Any]) -> tuple[float, float]:
    """A (row, column) spacing in mm within :data:`MIN_SPACING_MM`..:data:`MAX_SPACING_MM`."""
    try:
        pair = list(values)[:2]
    except TypeError:
        pair = [values]
    if len(pair) != 2:
        raise ImageReadError(path, f"{field} is {_shown(values)}; it needs two values (row, column)")
    spacing = tuple(finite_number(path, field, v) for v in pair)
    for s in spacing:
        if not MIN_SPACING_MM <= s <= MAX_SPACING_MM:
            raise ImageReadError(path, f"{field} {s:g} mm is outside {MIN_SPACING_MM:g}..{MAX_SPACING_MM:g} mm")
    return spacing  # type: ignore[return-value]


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        text = "\\".join(str(v) for v in value)
    else:
        text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")

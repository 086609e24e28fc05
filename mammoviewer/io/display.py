"""The one display pipeline: Modality LUT (already in ``Image.pixels``) -> VOI -> MONOCHROME1 -> invert.

The viewer and the detector both use these functions, so what the reader sees and what
the model is fed are computed the same way. Outputs are float32 in [0, 1].

Whatever a header or a drag gives, a window is first made safe (:func:`safe_window`: a finite centre
within ``LEVEL_LIMIT`` and a finite width that float32 arithmetic can still resolve), so levels, LUTs
and pictures are finite by construction; ``_checked_levels`` asserts it.
"""

from __future__ import annotations

import math

import numpy as np

from mammoviewer.io.image import Image, VoiLut, Window
from mammoviewer.io.limits import MAX_LUT_BITS

#: at most this many pixels are looked at to pick an automatic window
_SAMPLE_PIXELS = 1 << 20
#: integer images larger than this are windowed through a table of every value they hold ...
_TABLE_MIN_PIXELS = 1 << 16
#: ... when their values span fewer than this many levels
_TABLE_MAX_SPAN = 1 << 20
#: the largest level magnitude used (pyqtgraph computes with float32, whose maximum is 3.4e38)
LEVEL_LIMIT = 1e30
#: the narrowest width relative to the centre's magnitude (float32 resolves 6e-8)
MIN_RELATIVE_WIDTH = 1e-6
#: the narrowest width at all (LINEAR_EXACT and SIGMOID need width > 0)
MIN_WIDTH = 1e-6


def _clamped(value: float, nan: float, lo: float, hi: float) -> float:
    return min(max(nan if math.isnan(value) else value, lo), hi)


def safe_window(window: Window) -> Window:
    """``window`` with its centre clamped to +-``LEVEL_LIMIT`` and its width to what stays finite.

    The width is at least ``MIN_WIDTH`` and ``MIN_RELATIVE_WIDTH`` of the centre's magnitude, at most
    ``2 * LEVEL_LIMIT``; NaN becomes 0 (centre) or 1 (width). A usable window comes back unchanged.
    """
    c = _clamped(float(window.center), 0.0, -LEVEL_LIMIT, LEVEL_LIMIT)
    w = _clamped(float(window.width), 1.0, max(MIN_WIDTH, abs(c) * MIN_RELATIVE_WIDTH), 2.0 * LEVEL_LIMIT)
    if c == window.center and w == window.width:
        return window
    return Window(center=c, width=w, name=window.name, function=window.function)


def _checked_levels(lo: float, hi: float) -> tuple[float, float]:
    """Levels that are finite, ordered and resolvable; safe windows give them by construction."""
    assert math.isfinite(lo) and math.isfinite(hi) and hi > lo, (lo, hi)
    assert abs(lo) <= 8 * LEVEL_LIMIT and abs(hi) <= 8 * LEVEL_LIMIT, (lo, hi)  # float32-safe
    return lo, hi


def safe_levels(levels: tuple[float, float]) -> tuple[float, float]:
    """Levels from elsewhere (an ImageItem) made finite, ordered and within +-``LEVEL_LIMIT``."""
    lo, hi = (_clamped(float(v), 0.0, -LEVEL_LIMIT, LEVEL_LIMIT) for v in levels)
    if not hi > lo:
        lo, hi = min(lo, hi), max(lo, hi)
    span = max(MIN_WIDTH, max(abs(lo), abs(hi)) * MIN_RELATIVE_WIDTH)
    if hi - lo < span:
        hi = lo + span
    return _checked_levels(lo, hi)


def _window_for_range(lo: float, hi: float, name: str) -> Window:
    """A LINEAR window mapping ``lo`` to black and ``hi`` to white (C.11.2.1.2.1 edges)."""
    hi = max(hi, lo + 1.0)
    return Window(center=(lo + hi + 1.0) / 2.0, width=hi - lo + 1.0, name=name, function="LINEAR")


def full_window(image: Image) -> Window:
    """The whole range: 0..2**bits_stored-1 for unsigned stored integers, else the actual min..max."""
    px = image.pixels
    if px.dtype.kind == "u" and 0 < image.bits_stored <= 8 * px.dtype.itemsize:
        top = float(2**image.bits_stored - 1)
        if px.size == 0 or float(px.max()) <= top:
            return _window_for_range(0.0, top, "full range")
    if px.size == 0:
        return _window_for_range(0.0, 1.0, "full range")
    return _window_for_range(float(np.min(px)), float(np.max(px)), "full range")


def auto_window(image: Image, low_pct: float = 0.5, high_pct: float = 99.5) -> Window:
    """Robust percentiles of the non-background pixels (works on a mostly black mammogram).

    Background is the darkest level (brightest for MONOCHROME1) plus 2 % of the range; if
    fewer than 1 % of the pixels remain, all pixels are used.
    """
    px = image.pixels
    if px.size == 0:
        return full_window(image)
    step = max(1, int(np.sqrt(px.size / _SAMPLE_PIXELS)))
    sample = np.asarray(px[::step, ::step], dtype=np.float64).ravel()
    sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return full_window(image)
    lo, hi = float(sample.min()), float(sample.max())
    margin = 0.02 * (hi - lo)
    if image.photometric == "MONOCHROME1":
        fg = sample[sample < hi - margin]
    else:
        fg = sample[sample > lo + margin]
    if fg.size < 0.01 * sample.size:
        fg = sample
    a, b = np.percentile(fg, [low_pct, high_pct])
    return _window_for_range(float(a), float(b), "auto")


def default_window(image: Image) -> Window:
    """The file's first window if it has one, else ``auto_window``."""
    return image.windows[0] if image.windows else auto_window(image)


def apply_window(values: np.ndarray, window: Window) -> np.ndarray:
    """DICOM PS3.3 C.11.2.1.2 VOI window to float32 in [0, 1].

    LINEAR needs width >= 1 and LINEAR_EXACT/SIGMOID width > 0; smaller widths are raised to
    those limits (a hard threshold) rather than failing while the user drags.
    """
    x = np.asarray(values, dtype=np.float64)
    safe = safe_window(window)
    c, w = float(safe.center), float(safe.width)
    fn = (window.function or "LINEAR").upper()
    if fn not in ("LINEAR", "LINEAR_EXACT", "SIGMOID"):
        raise ValueError(f"unknown VOI LUT Function {window.function!r} (LINEAR, LINEAR_EXACT or SIGMOID)")
    with np.errstate(over="ignore", invalid="ignore"):  # float64 pixels beyond float32's range
        if fn == "SIGMOID":
            y = 1.0 / (1.0 + np.exp(-4.0 * (x - c) / w))
        elif fn == "LINEAR_EXACT":
            y = np.clip((x - c) / w + 0.5, 0.0, 1.0)
        elif w <= 1.0:
            y = (x > c - 0.5).astype(np.float64)
        else:
            y = np.clip((x - (c - 0.5)) / (w - 1.0) + 0.5, 0.0, 1.0)
    if np.asarray(values).dtype.kind == "f":
        y = np.nan_to_num(y, nan=0.0)  # a NaN pixel shows black
    return y.astype(np.float32)


def apply_voi_lut(values: np.ndarray, lut: VoiLut) -> np.ndarray:
    """VOI LUT Sequence table lookup to float32 in [0, 1] (inputs outside clamp to the ends)."""
    table = np.asarray(lut.table, dtype=np.float64)
    if table.size == 0:
        raise ValueError("VOI LUT has no entries")
    if not 1 <= int(lut.bits) <= MAX_LUT_BITS:
        raise ValueError(f"VOI LUT Descriptor (0028,3002) gives {lut.bits} bits per entry; a LUT has 1 to {MAX_LUT_BITS}")
    top = float(2 ** int(lut.bits) - 1)
    x = np.asarray(values, dtype=np.float64)
    x = np.where(np.isnan(x), float(lut.first_mapped), x)  # NaN (a broken rescale) maps like the first entry
    idx = np.clip(np.floor(x) - lut.first_mapped, 0, table.size - 1)
    return (np.clip(table[idx.astype(np.intp)], 0, top) / top).astype(np.float32)


def _voi(image: Image, values: np.ndarray, window: Window | None) -> np.ndarray:
    values = np.asarray(values)
    if values.dtype.kind in "iu" and values.size > _TABLE_MIN_PIXELS:
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < _TABLE_MAX_SPAN:  # integer pixels: evaluate once per possible value, then index
            table = _voi_direct(image, np.arange(lo, hi + 1, dtype=np.int64), window)
            if values.dtype.kind == "u":
                index = values - values.dtype.type(lo) if lo else values
            else:
                index = np.subtract(values, lo, dtype=np.int64 if values.dtype.itemsize >= 4 else np.int32)
            return table[index]
    return _voi_direct(image, values, window)


def _voi_direct(image: Image, values: np.ndarray, window: Window | None) -> np.ndarray:
    if window is None and image.voi_luts:
        return apply_voi_lut(values, image.voi_luts[0])
    return apply_window(values, window if window is not None else default_window(image))


def render(image: Image, window: Window | None = None, invert: bool = False) -> np.ndarray:
    """The displayed picture as float32 in [0, 1], row 0 = top.

    VOI: ``window`` if given; else the file's first VOI LUT if it has one; else ``default_window``.
    MONOCHROME1 is inverted so it looks like MONOCHROME2; ``invert`` then flips it for the user.
    """
    out = _voi(image, image.pixels, window)
    if (image.photometric == "MONOCHROME1") != bool(invert):
        out = 1.0 - out
    return out.astype(np.float32, copy=False)


def _levels(image: Image, window: Window | None) -> tuple[float, float]:
    if window is None and image.voi_luts:
        lut = image.voi_luts[0]
        return safe_levels((float(lut.first_mapped), float(lut.first_mapped + max(len(lut.table), 2) - 1)))
    w = safe_window(window if window is not None else default_window(image))
    c, width = float(w.center), float(w.width)
    fn = (w.function or "LINEAR").upper()
    if fn == "SIGMOID":
        half = 2.0 * width  # the curve is within 3.4e-4 of 0 and 1 here
        return _checked_levels(c - half, c + half)
    if fn == "LINEAR_EXACT":
        return _checked_levels(c - width / 2.0, c + width / 2.0)
    width = max(width, 1.0)
    lo = c - 0.5 - (width - 1.0) / 2.0
    return _checked_levels(lo, lo + max(width - 1.0, MIN_WIDTH, abs(lo) * MIN_RELATIVE_WIDTH))


def lut_indices(values: np.ndarray, levels: tuple[float, float], n: int = 256) -> np.ndarray:
    """The LUT entry each value selects: ``floor((v - lo) / (hi - lo) * n)`` clipped to 0..n-1.

    Levels are made safe first (:func:`safe_levels`); a NaN value selects entry 0.
    """
    lo, hi = safe_levels(levels)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = (np.asarray(values, dtype=np.float64) - lo) * (n / (hi - lo))
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=float(n), neginf=-1.0)
    return np.clip(np.floor(scaled), 0, n - 1).astype(np.intp)


def display_lut(
    image: Image, window: Window | None = None, invert: bool = False, n: int = 256
) -> tuple[tuple[float, float], np.ndarray]:
    """Levels ``(lo, hi)`` in modality units and an ``(n,)`` uint8 LUT reproducing ``render``.

    Values mapped linearly from [lo, hi] onto the LUT indices (``lut_indices``; what pyqtgraph's
    ``ImageItem.setLevels`` + ``setLookupTable`` do) and looked up give ``render(image, window,
    invert) * 255`` to within LUT quantisation. Entry i holds the picture at the centre of bin i.
    """
    if n < 2:
        raise ValueError("a display LUT needs at least 2 entries")
    lo, hi = _levels(image, window)
    centres = lo + (np.arange(n, dtype=np.float64) + 0.5) * ((hi - lo) / n)  # finite: the levels are safe
    picture = _voi(image, centres, window)
    if (image.photometric == "MONOCHROME1") != bool(invert):
        picture = 1.0 - picture
    lut = np.rint(np.clip(picture, 0.0, 1.0) * 255.0).astype(np.uint8)
    return (lo, hi), lut

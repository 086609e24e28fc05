"""Window Center / Window Width values checked where a file's header is read.

A window the display pipeline cannot use (not a number, not finite, width <= 0, or far outside the
image's value range: ``1e308 / 1e-308``) is not an error: it is left out, the image's metadata says so
under ``"window"``, and when no usable window is left the full range stands in for the file's window.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from mammoviewer.io.image import Image, Window

#: a window may reach this many value ranges beyond the image's (centre) and be this many ranges wide
SANE_RANGES = 1000.0
#: a window narrower than this fraction of the value range is no window
MIN_WIDTH_FRACTION = 1e-6
#: the name of the stand-in window
FALLBACK_NAME = "full range (the file's window is unusable)"
#: the metadata key of the note
NOTE_KEY = "window"


def value_range(image: Image) -> tuple[float, float, float]:
    """(lowest, highest, span) of the values a window applies to: the pixels after the Modality LUT,
    widened to the stored bit depth for integer pixels; the span is at least 1."""
    px = image.pixels
    finite = px if px.dtype.kind in "iub" else px[np.isfinite(px)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    integer = px.dtype.kind in "iu" and image.bits_stored > 0
    nominal = float(2 ** min(int(image.bits_stored), 32) - 1) if integer else 1.0
    return lo, hi, max(hi - lo, nominal, 1.0)


def window_problem(window: Window, lo: float, hi: float, span: float) -> str | None:
    """Why ``window`` is unusable for values ``lo``..``hi`` (range ``span``), or None if it is usable."""
    c, w = window.center, window.width
    if not (math.isfinite(c) and math.isfinite(w)):
        return "not a finite number"
    if w <= 0:
        return "the width is not above 0"
    if w < span * MIN_WIDTH_FRACTION:
        return f"the width is under {MIN_WIDTH_FRACTION:g} of the value range"
    if w > span * SANE_RANGES:
        return f"the width is over {SANE_RANGES:g} times the value range"
    if abs(c - (lo + hi) / 2.0) > span * SANE_RANGES:
        return f"the centre is over {SANE_RANGES:g} value ranges away"
    return None


def usable_windows(image: Image, windows: Sequence[Window], field: str) -> tuple[Window, ...]:
    """The usable ones of ``windows`` read from ``field`` of ``image``'s file; a note in the metadata for
    the others, and the full range in their place when none is usable."""
    if not windows:
        return ()
    lo, hi, span = value_range(image)
    kept, dropped = [], []
    for window in windows:
        problem = window_problem(window, lo, hi, span)
        if problem is None:
            kept.append(window)
        else:
            dropped.append(f"{window.center:g} / {window.width:g} ({window.function}): {problem}")
    if not dropped:
        return tuple(kept)
    more = f" (and {len(dropped) - 1} more)" if len(dropped) > 1 else ""
    shown = "the file's other windows are shown" if kept else "the full range is shown"
    image.metadata[NOTE_KEY] = (f"{field} {dropped[0]}{more}, for values {lo:g} to {hi:g}; unusable, {shown}")
    if kept:
        return tuple(kept)
    from mammoviewer.io.display import full_window

    full = full_window(image)
    return (Window(full.center, full.width, FALLBACK_NAME, "LINEAR"),)

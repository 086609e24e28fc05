"""The MIAS coordinate convention, written once.

MIAS ``Info.txt`` gives a finding's circle centre ``(x, y)`` with the origin at the BOTTOM-left
of the 1024 x 1024 film (0.2 mm pixels) and a radius. The project's frame has its origin at the
top-left: ``row = height - y``, ``column = x``. A film with no pixel spacing is assumed to span
MIAS's height (:data:`ASSUMED_FILM_HEIGHT_MM`).
"""

from __future__ import annotations

import numpy as np

#: rows and columns of a mini-MIAS film
MIAS_SIZE = 1024
#: pixel spacing of a mini-MIAS film, mm
MIAS_PIXEL_MM = 0.2
#: height assumed for a film of unknown pixel spacing (a mini-MIAS film: 1024 rows x 0.2 mm)
ASSUMED_FILM_HEIGHT_MM = MIAS_SIZE * MIAS_PIXEL_MM


def mias_y_to_row(y: float, height: float = MIAS_SIZE) -> float:
    """Row (top-left origin) of a MIAS ``y`` counted from the bottom."""
    return float(height) - float(y)


def row_to_mias_y(row: float, height: float = MIAS_SIZE) -> float:
    """MIAS ``y`` (counted from the bottom) of a row counted from the top; its own inverse."""
    return float(height) - float(row)


def _arr(values: object, n: int) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 0 or a.shape[-1] != n:
        raise ValueError(f"boxes must have shape [..., {n}], got {a.shape}")
    return a


def mias_to_xyxy(circles: object, height: float = MIAS_SIZE) -> np.ndarray:
    """``[..., 3]`` MIAS ``x, y, radius`` -> ``[..., 4]`` square around each circle, top-left origin."""
    c = _arr(circles, 3)
    row = height - c[..., 1]
    r = c[..., 2]
    return np.stack([c[..., 0] - r, row - r, c[..., 0] + r, row + r], axis=-1)


def xyxy_to_mias(boxes: object, height: float = MIAS_SIZE) -> np.ndarray:
    """``[..., 4]`` corner boxes -> MIAS ``x, y, radius``: y from the bottom, radius = max(w, h) / 2."""
    b = _arr(boxes, 4)
    w, h = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    cx, cy = b[..., 0] + w / 2, b[..., 1] + h / 2
    return np.stack([cx, height - cy, np.maximum(w, h) / 2], axis=-1)

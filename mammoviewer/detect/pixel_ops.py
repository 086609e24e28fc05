"""Pixel operations shared by the image stages of detection: a disc kernel and box sums."""

from __future__ import annotations

import cv2
import numpy as np


def disc(diameter_px: float) -> np.ndarray:
    """An elliptic structuring element about ``diameter_px`` wide (odd, at least 3 pixels)."""
    d = max(3, int(round(diameter_px)) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def box_sums(integral: np.ndarray, x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray]:
    """Sums and pixel counts of boxes (edges in pixels, broadcast together, rounded and clipped to the
    image) from ``integral = cv2.integral(image)``."""
    h, w = integral.shape[0] - 1, integral.shape[1] - 1
    c0, c1 = (np.clip(np.round(v), 0, w).astype(np.int64) for v in (x0, x1))
    r0, r1 = (np.clip(np.round(v), 0, h).astype(np.int64) for v in (y0, y1))
    total = integral[r1, c1] - integral[r0, c1] - integral[r1, c0] + integral[r0, c0]
    return total, np.maximum((c1 - c0) * (r1 - r0), 0).astype(np.float64)

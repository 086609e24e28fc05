"""Model-free boxes around a reader's click, from the film's display rendering alone.

- :func:`blob_box`: the square (centre near the click, side from 4 to 60 mm) whose inside is
  brightest against the ring around it (as wide again): a mass or a dense region.
- :func:`speck_box`: the cluster of small bright specks (white top-hat of :data:`TOPHAT_DISC_MM`
  at 0.2 mm) nearest the click: a calcification cluster, boxed as the square around it.

Both work on a window of the rendering around the click resampled to a fixed pixel size, so
they cost a few milliseconds whatever the film's resolution.
"""

from __future__ import annotations

import cv2
import numpy as np

from mammoviewer.detect.pixel_ops import box_sums
from mammoviewer.detect.preprocess import TOPHAT_DISC_MM, resample

#: sides (mm) tried by :func:`blob_box`
BLOB_SIDES_MM = tuple(float(s) for s in np.geomspace(4.0, 60.0, 16))
#: how far (mm) from the click :func:`blob_box` may move the centre, in steps of :data:`SHIFT_STEP_MM`
BLOB_SHIFT_MM, SHIFT_STEP_MM = 4.0, 1.0
#: specks merged into one cluster when closer than this (mm)
SPECK_LINK_MM = 2.0
#: specks farther than this (mm) from the click are ignored
SPECK_REACH_MM = 8.0
#: a speck is a top-hat response above this (display units, 0..1), and above 5x the window's median
SPECK_LEVEL = 0.06


def _window(rendered: np.ndarray, spacing: tuple[float, float], x: float, y: float, reach_mm: float,
            pixel_mm: float) -> tuple[np.ndarray, float, float, int, int]:
    """The rendering within ``reach_mm`` of the click at ``pixel_mm``: (array, sx, sy, c0, r0)."""
    half_c, half_r = reach_mm / spacing[1], reach_mm / spacing[0]
    rows, cols = rendered.shape[:2]
    c0, r0 = int(max(0, x - half_c)), int(max(0, y - half_r))
    c1, r1 = int(min(cols, x + half_c + 1)), int(min(rows, y + half_r + 1))
    small, sx, sy = resample(rendered[r0:r1, c0:c1].astype(np.float32), spacing, pixel_mm)
    return small, sx, sy, c0, r0


def blob_box(rendered: np.ndarray, spacing: tuple[float, float], x: float, y: float,
             sides_mm: tuple[float, ...] = BLOB_SIDES_MM) -> tuple[float, float, float, float] | None:
    """The brightest-against-its-surround square near the click (opened image's pixels), or None."""
    px = 0.4
    small, sx, sy, c0, r0 = _window(rendered, spacing, x, y, max(sides_mm) + BLOB_SHIFT_MM, px)
    integral = cv2.integral(small.astype(np.float64))
    steps = np.arange(-BLOB_SHIFT_MM, BLOB_SHIFT_MM + 1e-9, SHIFT_STEP_MM) / px
    side = (np.asarray(sides_mm) / px)[:, None, None]  # [S, 1, 1] x shifts [1, N, 1] (rows), [1, 1, N] (columns)
    cx = (x - c0) * sx + steps[None, None, :]
    cy = (y - r0) * sy + steps[None, :, None]
    inner, n_in = box_sums(integral, cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
    outer, n_out = box_sums(integral, cx - side, cy - side, cx + side, cy + side)
    ring = n_out - n_in
    ok = (n_in >= 1) & (ring >= 1)
    shift = np.hypot(cx - (x - c0) * sx, cy - (y - r0) * sy) * px  # mm
    with np.errstate(divide="ignore", invalid="ignore"):
        contrast = (inner / n_in - (outer - inner) / ring) * np.exp(-shift * shift / 8.0)
    contrast = np.where(ok, contrast, -np.inf)
    k = np.unravel_index(int(np.argmax(contrast)), contrast.shape)
    if not contrast[k] > 0:
        return None
    half = float(side[k[0], 0, 0]) / 2
    bx, by = float(np.broadcast_to(cx, contrast.shape)[k]), float(np.broadcast_to(cy, contrast.shape)[k])
    return ((bx - half) / sx + c0, (by - half) / sy + r0, (bx + half) / sx + c0, (by + half) / sy + r0)


def speck_box(rendered: np.ndarray, spacing: tuple[float, float], x: float,
              y: float) -> tuple[tuple[float, float, float, float], int] | None:
    """The square around the speck cluster nearest the click (opened image's pixels) and how many
    specks it holds, or None."""
    px = 0.2
    small, sx, sy, c0, r0 = _window(rendered, spacing, x, y, SPECK_REACH_MM + 2 * SPECK_LINK_MM, px)
    d = max(3, int(round(TOPHAT_DISC_MM / px)) | 1)
    spots = cv2.morphologyEx(small, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d)))
    level = max(SPECK_LEVEL, 5.0 * float(np.median(spots)))
    mask = (spots > level).astype(np.uint8)
    if not mask.any():
        return None
    link = max(3, int(round(SPECK_LINK_MM / px)) | 1)
    merged = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (link, link)))
    count, labels = cv2.connectedComponents(merged)
    cx, cy = (x - c0) * sx, (y - r0) * sy
    rows, cols = np.nonzero(mask)
    best, best_label = SPECK_REACH_MM / px, 0
    for k in range(1, count):
        sel = labels[rows, cols] == k
        if not sel.any():
            continue
        dist = float(np.min(np.hypot(cols[sel] - cx, rows[sel] - cy)))
        if dist < best:
            best, best_label = dist, k
    if best_label == 0:
        return None
    sel = labels[rows, cols] == best_label
    ys, xs = rows[sel], cols[sel]
    specks = cv2.connectedComponents(mask * (labels == best_label).astype(np.uint8))[0] - 1
    side = max(xs.max() - xs.min(), ys.max() - ys.min()) + 2.0 / px  # 1 mm margin each side
    mx, my = (xs.max() + xs.min()) / 2 + 0.5, (ys.max() + ys.min()) / 2 + 0.5
    half = side / 2
    return ((mx - half) / sx + c0, (my - half) / sy + r0, (mx + half) / sx + c0, (my + half) / sy + r0), specks


def click_boxes(rendered: np.ndarray, spacing: tuple[float, float], x: float,
                y: float) -> tuple[np.ndarray, tuple[str, ...], int]:
    """The model-free boxes for the click, ``[K, 4]``, their kinds (``"blob"``, ``"speck"``) and the
    number of specks of the speck cluster (0 without one)."""
    blob, specks = blob_box(rendered, spacing, x, y), speck_box(rendered, spacing, x, y)
    found = [(k, b) for k, b in (("blob", blob), ("speck", specks[0] if specks else None)) if b is not None]
    return (np.asarray([b for _, b in found], dtype=np.float64).reshape(-1, 4), tuple(k for k, _ in found),
            specks[1] if specks else 0)

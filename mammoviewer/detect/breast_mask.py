"""Where the breast is on a film: the largest bright region, without lead markers, labels or film edges.

The detector keeps no finding whose centre lies outside this mask (card ``"breast_mask": true``):
burned-in markers ("L MLO"), patient labels and bright film borders are not breast.

Method, on the display rendering (white = dense), worked at about 1.6 mm per pixel:

1. a Gaussian blur (1 mm) and a threshold between the film's background level and its tissue level
   (a quarter of the way from the background's median to Otsu's split of the film, so that fatty tissue near the
   skin line stays in);
2. an opening with a disc (:data:`OPENING_MM`), which cuts the thin strokes of letters and markers and
   narrow border strips off the breast;
3. the largest connected region, its holes filled, then grown by :data:`MARGIN_MM` to take back the
   skin line the opening shaved off.

The pectoral muscle is bright tissue joined to the breast, so it stays inside.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mammoviewer.detect.pixel_ops import disc

#: working pixel size of the mask in mm
WORK_MM = 1.6
#: diameter in mm of the opening that detaches markers, labels and border strips
OPENING_MM = 8.0
#: the breast region is grown by this many mm after the opening
MARGIN_MM = 4.0
#: the tissue threshold lies this fraction of the way from the background median to Otsu's split
THRESHOLD_FRACTION = 0.25


@dataclass(frozen=True, slots=True)
class BreastMaskConfig:
    work_mm: float = WORK_MM
    opening_mm: float = OPENING_MM
    margin_mm: float = MARGIN_MM


def _threshold(values: np.ndarray) -> float:
    """Half-way between the background's median and Otsu's split of ``values`` (float in [0, 1])."""
    u8 = np.clip(values * 255.0, 0, 255).astype(np.uint8).reshape(-1, 1)
    otsu, _ = cv2.threshold(u8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    otsu = float(otsu) / 255.0
    below = values[values <= otsu]
    background = float(np.median(below)) if below.size else 0.0
    return background + THRESHOLD_FRACTION * (otsu - background)


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask.astype(np.uint8), 1)
    flood = padded.copy()
    cv2.floodFill(flood, None, (0, 0), 1)
    holes = flood == 0
    return (padded.astype(bool) | holes)[1:-1, 1:-1]


def breast_mask(film: np.ndarray, pixel_mm: float, cfg: BreastMaskConfig = BreastMaskConfig(),
                valid: tuple[int, int] | None = None) -> np.ndarray:
    """Boolean mask (same shape as ``film``) of the breast on ``film`` (float [0, 1], white = dense,
    ``pixel_mm`` per pixel). ``valid`` = (rows, columns) of the film before any padding at the
    bottom/right; padding is never breast. An empty or flat film gives an all-False mask."""
    film = np.asarray(film, dtype=np.float32)
    if film.ndim != 2 or film.size == 0:
        raise ValueError(f"breast_mask: expected a 2-D film, got shape {film.shape}")
    rows, cols = valid if valid is not None else film.shape
    rows, cols = min(rows, film.shape[0]), min(cols, film.shape[1])
    out = np.zeros(film.shape, dtype=bool)
    if rows < 2 or cols < 2:
        return out
    region = film[:rows, :cols]
    f = max(1, int(round(cfg.work_mm / pixel_mm)))
    small = cv2.resize(region, (max(1, cols // f), max(1, rows // f)), interpolation=cv2.INTER_AREA)
    mm = pixel_mm * region.shape[1] / small.shape[1]
    small = cv2.GaussianBlur(small, (0, 0), max(0.5, 1.0 / mm))
    if float(small.max() - small.min()) < 1e-3:
        return out
    tissue = small > _threshold(small)
    opened = cv2.morphologyEx(tissue.astype(np.uint8), cv2.MORPH_OPEN, disc(cfg.opening_mm / mm))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    if n <= 1:
        return out
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    breast = _fill_holes(labels == biggest)
    breast = cv2.dilate(breast.astype(np.uint8), disc(2 * cfg.margin_mm / mm)) > 0
    out[:rows, :cols] = cv2.resize(breast.astype(np.uint8), (cols, rows), interpolation=cv2.INTER_NEAREST) > 0
    return out


def centres_inside(boxes: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Boolean per box (``[x0, y0, x1, y1]`` in the mask's pixels): is its centre on the mask?"""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    if len(b) == 0:
        return np.zeros(0, dtype=bool)
    cx = np.clip(((b[:, 0] + b[:, 2]) / 2).astype(np.int64), 0, mask.shape[1] - 1)
    cy = np.clip(((b[:, 1] + b[:, 3]) / 2).astype(np.int64), 0, mask.shape[0] - 1)
    return mask[cy, cx]

"""Bright specks at the film's native 0.2 mm, where a microcalcification is a dot of a pixel or two that the
SSD's 0.4 mm input washes out, and the calcification-cluster candidates they make.

1. the display rendering is resampled to :data:`WORK_MM` and lightly smoothed (film grain);
2. specks (:func:`find_specks`): local maxima of a white top-hat (:data:`TOPHAT_MM` disc) that stand out
   against the local level of the top-hat response (:data:`CONTRAST` x its mean over :data:`NOISE_MM`) and
   exceed :data:`MIN_LEVEL`, inside the breast and away from its edge;
3. clusters (:func:`find_clusters`): each local maximum of the number of specks in a square of side
   2 x :data:`RADIUS_MM` that holds :data:`MIN_SPECKS` or more (maxima closer than :data:`SEPARATION_MM` are
   one), boxed as the square around the specks within :data:`RADIUS_MM` of it with a 1 mm margin;
4. :func:`box_features`: what the specks say about any box (how many, how strong), for the second stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mammoviewer.detect.pixel_ops import disc
from mammoviewer.detect.preprocess import resample

#: working pixel size in mm (MIAS films are at 0.2 mm already)
WORK_MM = 0.2
#: diameter of the top-hat's disc in mm
TOPHAT_MM = 1.4
#: window over which the top-hat's local level is averaged (mm)
NOISE_MM = 10.0
#: a speck's top-hat peak must exceed this many times the local level ...
CONTRAST = 4.0
#: ... and this absolute level (display units 0..1)
MIN_LEVEL = 0.02
#: a strong speck stands this many times above the local level
STRONG = 8.0
#: specks are counted within this distance (mm, half the side of a square) of a point
RADIUS_MM = 3.0
#: cluster candidates at least this far apart (mm)
SEPARATION_MM = 5.0
#: the fewest specks of a cluster candidate
MIN_SPECKS = 3
#: specks within this distance (mm) of the breast's edge are ignored (skin line)
EDGE_MM = 3.0
#: at most this many cluster candidates per film, the most specks first
MAX_CANDIDATES = 60

#: features of a box (:func:`box_features`)
BOX_FEATURES = ("log_specks", "log_strong", "top3_contrast", "relative_density")


@dataclass(frozen=True)
class Specks:
    """The specks of one film: positions in the working frame and how they stand out."""

    xs: np.ndarray  # columns at WORK_MM
    ys: np.ndarray  # rows at WORK_MM
    contrast: np.ndarray  # top-hat peak / local level
    level: np.ndarray  # top-hat peak (display units)
    sx: float  # working columns per rendered column
    sy: float  # working rows per rendered row
    breast_px: float  # working pixels of the (eroded) breast

    @property
    def rate_mm2(self) -> float:
        """Specks per mm^2 of breast on this film."""
        return len(self.xs) / max(self.breast_px * WORK_MM ** 2, 1.0)


def find_specks(rendered: np.ndarray, spacing_mm: tuple[float, float],
                breast: np.ndarray | None = None) -> Specks:
    """The specks of a rendered film (float [0, 1], white = dense) with ``spacing_mm`` (row, column) pixels;
    ``breast``: a boolean mask of any size over the same film (None: everywhere)."""
    work, sx, sy = resample(rendered, spacing_mm, WORK_MM)
    h, w = work.shape
    smooth = cv2.GaussianBlur(work, (0, 0), 0.6)
    top = cv2.morphologyEx(smooth, cv2.MORPH_TOPHAT, disc(TOPHAT_MM / WORK_MM))
    k = max(3, int(round(NOISE_MM / WORK_MM)) | 1)
    contrast = top / (cv2.blur(top, (k, k)) + 2e-3)
    peaks = (top >= cv2.dilate(top, np.ones((3, 3), np.uint8))) & (contrast > CONTRAST) & (top > MIN_LEVEL)
    inside_px = float(h * w)
    if breast is not None:
        inside = cv2.resize(breast.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
        inside = cv2.erode(inside, disc(2 * EDGE_MM / WORK_MM)) > 0
        peaks &= inside
        inside_px = float(inside.sum())
    ys, xs = np.nonzero(peaks)
    return Specks(xs, ys, contrast[ys, xs].astype(np.float64), top[ys, xs].astype(np.float64), sx, sy, inside_px)


def box_features(specks: Specks, boxes: np.ndarray) -> np.ndarray:
    """``[N, len(BOX_FEATURES)]`` for boxes ``[N, 4]`` in the rendered film's pixels: log(1 + specks inside),
    log(1 + strong specks inside), the mean contrast of its 3 strongest specks (0 without), and its speck
    density over the film's (log ratio, +1 smoothed)."""
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) * [specks.sx, specks.sy, specks.sx, specks.sy]
    out = np.zeros((len(b), len(BOX_FEATURES)))
    for i, (x0, y0, x1, y1) in enumerate(b):
        sel = (specks.xs >= x0) & (specks.xs < x1) & (specks.ys >= y0) & (specks.ys < y1)
        c = np.sort(specks.contrast[sel])[::-1]
        area = max((x1 - x0) * (y1 - y0), 1.0) * WORK_MM ** 2
        out[i] = (np.log1p(len(c)), np.log1p(np.sum(c > STRONG)), float(np.mean(c[:3])) if len(c) else 0.0,
                  np.log((len(c) + 1) / (specks.rate_mm2 * area + 1)))
    return out


def find_clusters(specks: Specks, shape: tuple[int, int]) -> np.ndarray:
    """Cluster candidates ``[K, 4]`` (rendered film's pixels; ``shape`` its rows, columns), most specks first."""
    h, w = int(round(shape[0] * specks.sy)), int(round(shape[1] * specks.sx))
    if len(specks.xs) < MIN_SPECKS or h < 1 or w < 1:
        return np.zeros((0, 4))
    marks = np.zeros((h, w), np.float32)
    np.add.at(marks, (np.clip(specks.ys, 0, h - 1), np.clip(specks.xs, 0, w - 1)), 1.0)
    side = max(3, int(round(2 * RADIUS_MM / WORK_MM)) | 1)
    density = cv2.boxFilter(marks, -1, (side, side), normalize=False, borderType=cv2.BORDER_CONSTANT)
    sep = max(3, int(round(SEPARATION_MM / WORK_MM)) | 1)
    maxima = (density >= cv2.dilate(density, np.ones((sep, sep), np.uint8))) & (density >= MIN_SPECKS)
    my, mx = np.nonzero(maxima)
    order = np.argsort(-density[my, mx], kind="stable")
    r, m = RADIUS_MM / WORK_MM, 1.0 / WORK_MM
    taken: list[tuple[float, float]] = []
    out: list[tuple[float, float, float, float]] = []
    for i in order:
        px, py = float(mx[i]), float(my[i])
        if any(abs(px - qx) < sep and abs(py - qy) < sep for qx, qy in taken):
            continue  # a plateau of the count: one candidate
        taken.append((px, py))
        sel = (np.abs(specks.xs - px) <= r) & (np.abs(specks.ys - py) <= r)
        if sel.sum() < MIN_SPECKS:
            continue
        gx, gy = specks.xs[sel], specks.ys[sel]
        x0, x1, y0, y1 = gx.min() - m, gx.max() + m, gy.min() - m, gy.max() + m
        half = max(x1 - x0, y1 - y0, 4.0 / WORK_MM) / 2
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        out.append(((cx - half) / specks.sx, (cy - half) / specks.sy, (cx + half) / specks.sx,
                    (cy + half) / specks.sy))
        if len(out) >= MAX_CANDIDATES:
            break
    return np.asarray(out, dtype=np.float64).reshape(-1, 4)

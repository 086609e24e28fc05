"""SSD box coding and non-maximum suppression (pure numpy); overlaps live in :mod:`mammoviewer.geometry.boxes`.

Boxes are ``[x0, y0, x1, y1]`` corners (x = column, y = row, origin top-left) unless a
function says otherwise. Shapes are documented as ``[N, 4]``.
"""

from __future__ import annotations

import math

import numpy as np

from mammoviewer.geometry.boxes import area, as_boxes, centers_to_corners, corners_to_centers

#: SSD variances for (centre, size) offsets
VARIANCES = (0.1, 0.2)
#: clamp of encoded log-size offsets before ``exp`` (as in torchvision's BoxCoder)
_MAX_LOG_SCALE = math.log(1000.0 / 16)


def encode(boxes: np.ndarray, anchors: np.ndarray, variances: tuple[float, float] = VARIANCES) -> np.ndarray:
    """SSD offsets of corner ``boxes`` relative to corner ``anchors`` (both ``[N, 4]``) -> ``[N, 4]``.

    ``t = ((cx - acx) / aw / v0, (cy - acy) / ah / v0, log(w / aw) / v1, log(h / ah) / v1)``.
    """
    g, a = corners_to_centers(boxes), corners_to_centers(anchors)
    wh = np.maximum(g[:, 2:], 1e-6)
    return np.concatenate(
        [(g[:, :2] - a[:, :2]) / a[:, 2:] / variances[0], np.log(wh / a[:, 2:]) / variances[1]], axis=1
    )


def decode(offsets: np.ndarray, anchors: np.ndarray, variances: tuple[float, float] = VARIANCES) -> np.ndarray:
    """Inverse of :func:`encode`: ``[N, 4]`` offsets + ``[N, 4]`` corner anchors -> corner boxes."""
    t, a = as_boxes(offsets), corners_to_centers(anchors)
    centre = t[:, :2] * variances[0] * a[:, 2:] + a[:, :2]
    size = np.exp(np.minimum(t[:, 2:] * variances[1], _MAX_LOG_SCALE)) * a[:, 2:]
    return centers_to_corners(np.concatenate([centre, size], axis=1))


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.45, max_out: int | None = None) -> np.ndarray:
    """Greedy non-maximum suppression; indices of kept boxes, best score first.

    A box is dropped when its IoU with an already kept, higher-scoring box exceeds ``iou_threshold``.
    Ties in score keep the lower index first.
    """
    b = as_boxes(boxes)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(b) != len(s):
        raise ValueError(f"nms: {len(b)} boxes but {len(s)} scores")
    order = np.argsort(-s, kind="stable")
    keep: list[int] = []
    areas = area(b)
    while order.size and (max_out is None or len(keep) < max_out):
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        x0 = np.maximum(b[i, 0], b[rest, 0])
        y0 = np.maximum(b[i, 1], b[rest, 1])
        x1 = np.minimum(b[i, 2], b[rest, 2])
        y1 = np.minimum(b[i, 3], b[rest, 3])
        inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
        union = areas[i] + areas[rest] - inter
        overlap = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
        order = rest[overlap <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)

"""Pure numpy box math: IoU, SSD offset encoding/decoding, non-maximum suppression.

Boxes are ``[x0, y0, x1, y1]`` corners (x = column, y = row, origin top-left) unless a
function says otherwise. Shapes are documented as ``[N, 4]``.
"""

from __future__ import annotations

import math

import numpy as np

from mammoviewer.export.boxes import cxcywh_to_xyxy, xyxy_to_cxcywh

#: SSD variances for (centre, size) offsets
VARIANCES = (0.1, 0.2)
#: clamp of encoded log-size offsets before ``exp`` (as in torchvision's BoxCoder)
_MAX_LOG_SCALE = math.log(1000.0 / 16)


def as_boxes(boxes: object) -> np.ndarray:
    """Return ``boxes`` as a float64 ``[N, 4]`` array (an empty input gives ``[0, 4]``)."""
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.size == 0:
        return arr.reshape(0, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"boxes must have shape [N, 4], got {arr.shape}")
    return arr


def area(boxes: np.ndarray) -> np.ndarray:
    """Areas of ``[N, 4]`` corner boxes (zero for degenerate boxes)."""
    b = as_boxes(boxes)
    return np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)


def intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection areas of ``[N, 4]`` and ``[M, 4]`` corner boxes -> ``[N, M]``."""
    a, b = as_boxes(a), as_boxes(b)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    return np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of ``[N, 4]`` and ``[M, 4]`` corner boxes -> ``[N, M]``."""
    inter = intersection(a, b)
    union = area(a)[:, None] + area(b)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def iomin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over the smaller box's area of ``[N, 4]`` and ``[M, 4]`` boxes -> ``[N, M]``."""
    inter = intersection(a, b)
    smaller = np.minimum(area(a)[:, None], area(b)[None, :])
    return np.where(smaller > 0, inter / np.where(smaller > 0, smaller, 1.0), 0.0)


def corners_to_centers(boxes: np.ndarray) -> np.ndarray:
    """``[x0, y0, x1, y1]`` -> ``[cx, cy, w, h]`` for ``[N, 4]`` boxes."""
    return xyxy_to_cxcywh(as_boxes(boxes))


def centers_to_corners(boxes: np.ndarray) -> np.ndarray:
    """``[cx, cy, w, h]`` -> ``[x0, y0, x1, y1]`` for ``[N, 4]`` boxes."""
    return cxcywh_to_xyxy(as_boxes(boxes))


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

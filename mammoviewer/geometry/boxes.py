"""Box formats and overlaps as pure numpy functions (used by io, detect, classify and formats).

Every function takes an array of shape ``[..., 4]`` (``[..., 3]`` for MIAS circles)
and returns a new float64 array. The hub is the project's canonical ``xyxy``:
``[x0, y0, x1, y1]`` in full-resolution pixels, origin top-left, x = column.

==========  =======================================================  ===========
format      values                                                   needs
==========  =======================================================  ===========
``xyxy``    x0, y0, x1, y1 (canonical)                               --
``xywh``    x0, y0, width, height (COCO ``bbox``)                    --
``cxcywh``  centre x, centre y, width, height, in pixels             --
``yolo``    centre x / W, centre y / H, width / W, height / H         image size
``mias``    centre x, centre y counted from the BOTTOM (H - cy),     image size
            radius = max(width, height) / 2; back: the square
            around the circle
==========  =======================================================  ===========
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mammoviewer.geometry.mias import mias_to_xyxy, xyxy_to_mias

FORMATS = ("xyxy", "xywh", "cxcywh", "yolo", "mias")
_NEEDS_SIZE = ("yolo", "mias")


def _arr(boxes: object, n: int) -> np.ndarray:
    a = np.asarray(boxes, dtype=np.float64)
    if a.ndim == 0 or a.shape[-1] != n:
        raise ValueError(f"boxes must have shape [..., {n}], got {a.shape}")
    return a


def xyxy_to_xywh(b: np.ndarray) -> np.ndarray:
    b = _arr(b, 4)
    return np.stack([b[..., 0], b[..., 1], b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]], axis=-1)


def xywh_to_xyxy(b: np.ndarray) -> np.ndarray:
    b = _arr(b, 4)
    return np.stack([b[..., 0], b[..., 1], b[..., 0] + b[..., 2], b[..., 1] + b[..., 3]], axis=-1)


def xyxy_to_cxcywh(b: np.ndarray) -> np.ndarray:
    b = _arr(b, 4)
    w, h = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    return np.stack([b[..., 0] + w / 2, b[..., 1] + h / 2, w, h], axis=-1)


def cxcywh_to_xyxy(b: np.ndarray) -> np.ndarray:
    b = _arr(b, 4)
    hw, hh = b[..., 2] / 2, b[..., 3] / 2
    return np.stack([b[..., 0] - hw, b[..., 1] - hh, b[..., 0] + hw, b[..., 1] + hh], axis=-1)


def xyxy_to_yolo(b: np.ndarray, width: float, height: float) -> np.ndarray:
    """Normalised ``cx, cy, w, h`` (YOLO txt), each in [0, 1] for a box inside the image."""
    return xyxy_to_cxcywh(b) / np.array([width, height, width, height], dtype=np.float64)


def yolo_to_xyxy(b: np.ndarray, width: float, height: float) -> np.ndarray:
    return cxcywh_to_xyxy(_arr(b, 4) * np.array([width, height, width, height], dtype=np.float64))


_TO_XYXY: dict[str, Callable[..., np.ndarray]] = {
    "xyxy": lambda b, w, h: _arr(b, 4).copy(),
    "xywh": lambda b, w, h: xywh_to_xyxy(b),
    "cxcywh": lambda b, w, h: cxcywh_to_xyxy(b),
    "yolo": lambda b, w, h: yolo_to_xyxy(b, w, h),
    "mias": lambda b, w, h: mias_to_xyxy(b, h),
}
_FROM_XYXY: dict[str, Callable[..., np.ndarray]] = {
    "xyxy": lambda b, w, h: b,
    "xywh": lambda b, w, h: xyxy_to_xywh(b),
    "cxcywh": lambda b, w, h: xyxy_to_cxcywh(b),
    "yolo": lambda b, w, h: xyxy_to_yolo(b, w, h),
    "mias": lambda b, w, h: xyxy_to_mias(b, h),
}


def box_convert(
    boxes: object, in_fmt: str, out_fmt: str, image_size: tuple[float, float] | None = None
) -> np.ndarray:
    """Convert boxes between ``FORMATS``; ``image_size`` is ``(width, height)`` for yolo/mias.

    Raises ValueError for an unknown format, a missing image size or a wrong shape.
    Same-format conversion returns an unchanged copy. ``xyxy -> mias -> xyxy`` gives
    the enclosing square, so it is lossless for square boxes only.
    """
    for fmt in (in_fmt, out_fmt):
        if fmt not in FORMATS:
            raise ValueError(f"unknown box format {fmt!r}; supported: {', '.join(FORMATS)}")
    if (in_fmt in _NEEDS_SIZE or out_fmt in _NEEDS_SIZE) and image_size is None:
        raise ValueError(f"converting {in_fmt} -> {out_fmt} needs image_size=(width, height)")
    w, h = image_size if image_size is not None else (0.0, 0.0)
    if in_fmt == out_fmt:
        return _arr(boxes, 3 if in_fmt == "mias" else 4).copy()
    return _FROM_XYXY[out_fmt](_TO_XYXY[in_fmt](boxes, w, h), w, h)


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

"""Box conventions of the export formats as pure numpy functions.

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


def xyxy_to_mias(b: np.ndarray, height: float) -> np.ndarray:
    """MIAS ``x, y, radius``: y from the bottom (``H - cy``), radius = max(w, h) / 2."""
    c = xyxy_to_cxcywh(b)
    r = np.maximum(c[..., 2], c[..., 3]) / 2
    return np.stack([c[..., 0], height - c[..., 1], r], axis=-1)


def mias_to_xyxy(c: np.ndarray, height: float) -> np.ndarray:
    """The square around a MIAS circle, top-left origin (row = H - y)."""
    c = _arr(c, 3)
    row = height - c[..., 1]
    r = c[..., 2]
    return np.stack([c[..., 0] - r, row - r, c[..., 0] + r, row + r], axis=-1)


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

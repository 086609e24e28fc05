"""SSD default boxes (anchors) and the assignment of ground truth to them.

Anchor order matches the model's heads: level by level (finest stride first), then
row, column, and within a cell ``sizes x ratios`` (size-major).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

from mammoviewer.detect import boxes as bx
from mammoviewer.geometry import boxes as gb

BACKGROUND, IGNORE = 0, -1


@dataclass(frozen=True, slots=True)
class AnchorSpec:
    """Default-box layout: one level per stride, ``sizes`` (square side, model pixels) per level."""

    strides: tuple[int, ...] = (8, 16, 32, 64)
    sizes: tuple[tuple[float, ...], ...] = ((12.0, 18.0), (27.0, 40.0), (60.0, 90.0), (134.0, 200.0))
    ratios: tuple[float, ...] = (1.0, 2.0, 0.5)  # width / height
    variances: tuple[float, float] = bx.VARIANCES

    def __post_init__(self) -> None:
        if len(self.strides) != len(self.sizes):
            raise ValueError(f"AnchorSpec: {len(self.strides)} strides but {len(self.sizes)} size groups")
        if len({len(s) for s in self.sizes}) != 1:
            raise ValueError("AnchorSpec: every level needs the same number of sizes")

    @property
    def per_location(self) -> int:
        return len(self.sizes[0]) * len(self.ratios)

    @property
    def multiple(self) -> int:
        """Inputs are padded to a multiple of this (the largest stride)."""
        return max(self.strides)

    def to_dict(self) -> dict:
        return {k: (list(map(list, v)) if k == "sizes" else list(v)) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> "AnchorSpec":
        return cls(
            strides=tuple(int(s) for s in d["strides"]),
            sizes=tuple(tuple(float(x) for x in s) for s in d["sizes"]),
            ratios=tuple(float(r) for r in d["ratios"]),
            variances=tuple(float(v) for v in d["variances"]),  # type: ignore[arg-type]
        )


def anchor_spec_for(pixel_mm: float, base: AnchorSpec = AnchorSpec(), base_pixel_mm: float = 0.4) -> AnchorSpec:
    """The default layout (sized for 0.4 mm pixels: 4.8..80 mm squares) at another pixel size."""
    k = base_pixel_mm / pixel_mm
    return AnchorSpec(base.strides, tuple(tuple(round(s * k, 3) for s in g) for g in base.sizes),
                      base.ratios, base.variances)


def feature_shape(height: int, width: int, stride: int) -> tuple[int, int]:
    """Size of a stride-``stride`` map for 'same'-padded stride-2 convolutions."""
    h, w = height, width
    for _ in range(int(round(math.log2(stride)))):
        h, w = -(-h // 2), -(-w // 2)
    return h, w


def generate_anchors(height: int, width: int, spec: AnchorSpec = AnchorSpec()) -> np.ndarray:
    """Corner anchors ``[A, 4]`` for an input of ``height x width`` model pixels."""
    return _anchors_cached(int(height), int(width), spec).copy()


@lru_cache(maxsize=16)
def _anchors_cached(height: int, width: int, spec: AnchorSpec) -> np.ndarray:
    out = []
    for stride, sizes in zip(spec.strides, spec.sizes):
        fh, fw = feature_shape(height, width, stride)
        wh = np.array(
            [(s * math.sqrt(r), s / math.sqrt(r)) for s in sizes for r in spec.ratios], dtype=np.float64
        )  # [K, 2]
        cy, cx = np.meshgrid((np.arange(fh) + 0.5) * stride, (np.arange(fw) + 0.5) * stride, indexing="ij")
        centres = np.stack([cx.ravel(), cy.ravel()], axis=1)  # [fh*fw, 2]
        c = np.repeat(centres, len(wh), axis=0)
        s = np.tile(wh, (len(centres), 1))
        out.append(np.concatenate([c - s / 2, c + s / 2], axis=1))
    return np.concatenate(out, axis=0)


def flip_index(anchors: np.ndarray, width: int, height: int, horizontal: bool, vertical: bool) -> np.ndarray:
    """For each anchor, the index of its image under a left-right (``horizontal``) and/or top-bottom
    (``vertical``) flip of a ``width`` x ``height`` input (anchor sets of :func:`generate_anchors`
    are symmetric under both)."""
    x0, y0, x1, y1 = (anchors[:, i] for i in range(4))
    if horizontal:
        x0, x1 = width - x1, width - x0
    if vertical:
        y0, y1 = height - y1, height - y0
    n = len(anchors)
    keys = np.round(np.concatenate([anchors, np.stack([x0, y0, x1, y1], axis=1)]) * 4).astype(np.int64)
    order = np.lexsort(keys.T[::-1])  # equal boxes (to 1/4 px) end up side by side and share an id
    ids = np.empty(len(keys), dtype=np.int64)
    ids[order] = np.cumsum(np.r_[True, (np.diff(keys[order], axis=0) != 0).any(axis=1)]) - 1
    position = np.full(int(ids.max(initial=-1)) + 1, -1, dtype=np.int64)
    position[ids[:n]] = np.arange(n)
    index = position[ids[n:]]
    if (index < 0).any():
        raise ValueError(f"anchors are not flip-symmetric for a {width} x {height} input")
    return index


def flip_index_for(height: int, width: int, spec: AnchorSpec, horizontal: bool, vertical: bool) -> np.ndarray:
    """:func:`flip_index` of the anchors of an input of ``height x width`` (cached per input size)."""
    return _flip_index_cached(int(height), int(width), spec, bool(horizontal), bool(vertical))


@lru_cache(maxsize=16)
def _flip_index_cached(height: int, width: int, spec: AnchorSpec, horizontal: bool, vertical: bool) -> np.ndarray:
    index = flip_index(_anchors_cached(height, width, spec), width, height, horizontal, vertical)
    index.setflags(write=False)
    return index


def count_anchors(height: int, width: int, spec: AnchorSpec = AnchorSpec()) -> int:
    return sum(
        int(np.prod(feature_shape(height, width, s))) * spec.per_location for s in spec.strides
    )


@dataclass(frozen=True, slots=True)
class MatchConfig:
    positive_iou: float = 0.5
    negative_iou: float = 0.4  # between the two: ignored
    ignore_iou: float = 0.3  # overlap with an "ignore" box (a lesion cut by the crop edge)


def assign(
    anchors: np.ndarray,
    gt_boxes: np.ndarray,
    gt_labels: np.ndarray,
    ignore_boxes: np.ndarray | None = None,
    spec: AnchorSpec = AnchorSpec(),
    cfg: MatchConfig = MatchConfig(),
) -> tuple[np.ndarray, np.ndarray]:
    """Training targets: labels ``[A]`` (0 background, -1 ignore, class id) and offsets ``[A, 4]``.

    An anchor is positive when its IoU with a box is >= ``positive_iou``; each box also
    claims its best anchor, so tiny lesions always get one.
    """
    n = len(anchors)
    labels = np.zeros(n, dtype=np.int32)
    offsets = np.zeros((n, 4), dtype=np.float32)
    gt = gb.as_boxes(gt_boxes)
    if ignore_boxes is not None and len(ignore_boxes):
        ov = gb.iou(anchors, ignore_boxes).max(axis=1)
        labels[ov >= cfg.ignore_iou] = IGNORE
    if len(gt) == 0:
        return labels, offsets
    ious = gb.iou(anchors, gt)  # [A, G]
    best_gt = ious.argmax(axis=1)
    best_iou = ious[np.arange(n), best_gt]
    labels[(best_iou >= cfg.negative_iou) & (best_iou < cfg.positive_iou)] = IGNORE
    pos = best_iou >= cfg.positive_iou
    best_anchor = ious.argmax(axis=0)  # each box claims its best anchor
    best_gt[best_anchor] = np.arange(len(gt))
    pos[best_anchor] = True
    gl = np.asarray(gt_labels, dtype=np.int32)
    labels[pos] = gl[best_gt[pos]]
    offsets[pos] = bx.encode(gt[best_gt[pos]], anchors[pos], spec.variances)
    return labels, offsets

"""From raw SSD outputs to detections: softmax, offset decoding, class-wise NMS, top-k."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mammoviewer.detect import boxes as bx
from mammoviewer.geometry import boxes as gb


@dataclass(frozen=True, slots=True)
class PostConfig:
    score_threshold: float = 0.0
    nms_iou: float = 0.45
    pre_nms_top_k: int = 400  # per class
    max_detections: int = 100
    #: after class-wise NMS, a box overlapping a better box of ANOTHER class by more than this
    #: IoU is dropped (the same lesion called both benign and malignant); None keeps both
    cross_class_iou: float | None = None
    #: "class": a box's score is p(class) for every lesion class (classic SSD); "lesion": each
    #: anchor keeps only its likelier lesion class, scored p(lesion) = 1 - p(background)
    score_mode: str = "class"
    #: after NMS, a box lying mostly inside a better box of any class (intersection over the
    #: smaller box's area above this) is dropped: one box per finding, not a nest; None keeps all
    containment: float | None = None


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


#: test-time flips: name -> (left-right, top-bottom)
FLIPS = {"hflip": (True, False), "vflip": (False, True), "rot180": (True, True)}


def parse_flips(text: str) -> tuple[str, ...]:
    """A comma list of :data:`FLIPS` names (``"none"`` or empty: no flip); ValueError on an unknown one."""
    flips = tuple(t.strip() for t in text.split(",") if t.strip() and t.strip() != "none")
    unknown = [t for t in flips if t not in FLIPS]
    if unknown:
        raise ValueError(f"unknown flip {unknown[0]!r} (choose from {', '.join(FLIPS)} or none)")
    return flips


def merge_flipped(raw: np.ndarray, flipped: list[tuple[np.ndarray, np.ndarray, bool, bool]],
                  num_classes: int = 3) -> np.ndarray:
    """Test-time augmentation: average the raw output on the film with the raw outputs on flipped
    copies, anchor by anchor. ``flipped`` holds (raw output, ``anchors.flip_index`` of that flip,
    left-right, top-bottom). Class logits are averaged; a flipped x (y) offset changes sign."""
    total = raw.astype(np.float64).copy()
    for out, index, horizontal, vertical in flipped:
        f = out[index].astype(np.float64)
        if horizontal:
            f[:, num_classes] *= -1.0  # offsets are (dx, dy, dw, dh) relative to the anchor
        if vertical:
            f[:, num_classes + 1] *= -1.0
        total += f
    return total / (1 + len(flipped))


def postprocess(raw: np.ndarray, anchors: np.ndarray, num_classes: int = 3,
                variances: tuple[float, float] = bx.VARIANCES,
                cfg: PostConfig = PostConfig()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw ``[A, C + 4]`` output -> (boxes ``[K, 4]`` model frame, class ids ``[K]``, scores ``[K]``).

    NMS runs per class (1..C-1) on the scores of ``cfg.score_mode``; the survivors of all classes are merged, best first, and
    cut to ``max_detections``. A detection is kept when its score is >= ``score_threshold``.
    """
    if raw.shape != (len(anchors), num_classes + 4):
        raise ValueError(f"raw output {raw.shape} does not match {len(anchors)} anchors x {num_classes + 4}")
    if cfg.score_mode not in ("class", "lesion"):
        raise ValueError(f"unknown score_mode {cfg.score_mode!r} (class or lesion)")
    probs = softmax(raw[:, :num_classes].astype(np.float64))
    if cfg.score_mode == "lesion":
        best = 1 + np.argmax(probs[:, 1:], axis=1)
        lesion = 1.0 - probs[:, 0]
        probs = np.zeros_like(probs)
        probs[np.arange(len(probs)), best] = lesion
    decoded = bx.decode(raw[:, num_classes:].astype(np.float64), anchors, variances)
    all_boxes, all_cls, all_scores = [], [], []
    for c in range(1, num_classes):
        s = probs[:, c]
        idx = np.flatnonzero(s >= max(cfg.score_threshold, 1e-6))
        if idx.size == 0:
            continue
        idx = idx[np.argsort(-s[idx], kind="stable")[: cfg.pre_nms_top_k]]
        keep = idx[bx.nms(decoded[idx], s[idx], cfg.nms_iou, cfg.max_detections)]
        all_boxes.append(decoded[keep])
        all_cls.append(np.full(len(keep), c, dtype=np.int64))
        all_scores.append(s[keep])
    if not all_boxes:
        return np.zeros((0, 4)), np.zeros(0, dtype=np.int64), np.zeros(0)
    b, c, s = np.concatenate(all_boxes), np.concatenate(all_cls), np.concatenate(all_scores)
    order = np.argsort(-s, kind="stable")
    b, c, s = b[order], c[order], s[order]
    if cfg.cross_class_iou is not None and len(b) > 1:
        keep = cross_class_suppression(b, c, cfg.cross_class_iou)
        b, c, s = b[keep], c[keep], s[keep]
    if cfg.containment is not None and len(b) > 1:
        keep = containment_suppression(b, cfg.containment)
        b, c, s = b[keep], c[keep], s[keep]
    return b[: cfg.max_detections], c[: cfg.max_detections], s[: cfg.max_detections]


def merge_scales(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                 cfg: PostConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One film's findings at several scales, each (boxes, class ids, scores) in the same frame, merged:
    NMS over all of them regardless of class at ``cfg.nms_iou``, then the containment rule, best first,
    cut to ``max_detections``."""
    b = np.concatenate([gb.as_boxes(p[0]) for p in parts])
    c = np.concatenate([np.asarray(p[1], dtype=np.int64) for p in parts])
    s = np.concatenate([np.asarray(p[2], dtype=np.float64) for p in parts])
    if len(s) == 0:
        return b, c, s
    keep = bx.nms(b, s, cfg.nms_iou)
    b, c, s = b[keep], c[keep], s[keep]
    if cfg.containment is not None and len(b) > 1:
        keep = containment_suppression(b, cfg.containment)
        b, c, s = b[keep], c[keep], s[keep]
    return b[: cfg.max_detections], c[: cfg.max_detections], s[: cfg.max_detections]


def containment_suppression(boxes: np.ndarray, threshold: float) -> np.ndarray:
    """Indices kept when boxes (sorted best first) drop on lying mostly inside a kept box: their
    intersection over the smaller box's area exceeds ``threshold``."""
    b = gb.as_boxes(boxes)
    inside = gb.iomin(b, b)
    keep: list[int] = []
    for i in range(len(b)):
        if not any(inside[i, j] > threshold for j in keep):
            keep.append(i)
    return np.asarray(keep, dtype=np.int64)


def cross_class_suppression(boxes: np.ndarray, classes: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices kept when boxes (sorted best first) drop on overlapping a kept box of another class."""
    ious = gb.iou(boxes, boxes)
    keep: list[int] = []
    for i in range(len(boxes)):
        if not any(classes[j] != classes[i] and ious[i, j] > iou_threshold for j in keep):
            keep.append(i)
    return np.asarray(keep, dtype=np.int64)

"""The detector's second stage: the SSD's candidates and the calcification-cluster candidates found at 0.2 mm,
re-scored together by one logistic rule (card ``"second_stage"``).

The SSD sees the film at 0.4 mm, where a microcalcification is below a pixel; the second stage adds what
the film's native pixels say about each candidate box (:func:`calc_clusters.box_features`) and the
candidate's place among the film's others, and proposes the speck clusters the SSD did not box at all.
A cluster candidate takes the SSD score, label and rank of the best SSD box holding its centre (none: the
film's lowest score, benign, last). The rule is fitted on the fold models' out-of-fold candidates
(``python -m mammoviewer.research.second_stage_fit``), so the score of a finding is the rule's
p(lesion) for a candidate of its kind; boxes lying mostly inside a better one are then dropped as in
the first stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mammoviewer.detect import calc_clusters as cc
from mammoviewer.detect.logistic import LogisticRule
from mammoviewer.detect.pixel_ops import box_sums
from mammoviewer.detect.postprocess import containment_suppression

FEATURES = ("ssd_logit", "gap_to_best", "log_rank", "log_side_mm", "is_cluster", *cc.BOX_FEATURES,
            "blob_contrast")
#: SSD scores are clipped to this range before their logit is taken
SCORE_FLOOR = 1e-4


@dataclass(frozen=True)
class Candidates:
    """One film's candidates for the second stage, boxes in the rendered film's pixels."""

    boxes: np.ndarray  # [N, 4]
    classes: np.ndarray  # [N] class ids 1..
    ssd_scores: np.ndarray  # [N]
    is_cluster: np.ndarray  # [N] bool
    features: np.ndarray  # [N, len(FEATURES)]


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of scores clipped to [SCORE_FLOOR, 1 - SCORE_FLOOR]."""
    p = np.clip(p, SCORE_FLOOR, 1.0 - SCORE_FLOOR)
    return np.log(p / (1.0 - p))


def blob_contrast(rendered: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Mean of the rendering inside each box minus the mean of the ring around it (as wide again)."""
    integral = cv2.integral(rendered.astype(np.float64))
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    hw, hh = (b[:, 2] - b[:, 0]), (b[:, 3] - b[:, 1])
    outer = np.stack([cx - hw, cy - hh, cx + hw, cy + hh], axis=1)
    s_in, n_in = box_sums(integral, *b.T)
    s_out, n_out = box_sums(integral, *outer.T)
    ring = n_out - n_in
    with np.errstate(divide="ignore", invalid="ignore"):
        c = s_in / n_in - (s_out - s_in) / ring
    return np.where((n_in > 0) & (ring > 0), c, 0.0)


def candidates(rendered: np.ndarray, spacing_mm: tuple[float, float], breast: np.ndarray | None,
               boxes: np.ndarray, classes: np.ndarray, scores: np.ndarray, clusters: bool = True) -> Candidates:
    """The second stage's candidates of one film: the SSD's (``boxes`` in ``rendered``'s pixels, best first,
    with their class ids and scores) and (``clusters``) the speck clusters, with their features."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    classes, scores = np.asarray(classes, dtype=np.int64), np.asarray(scores, dtype=np.float64)
    specks = cc.find_specks(rendered, spacing_mm, breast)
    clusters = cc.find_clusters(specks, rendered.shape[:2]) if clusters else np.zeros((0, 4))
    floor = float(scores.min()) if len(scores) else SCORE_FLOOR
    c_cls, c_score = np.ones(len(clusters), np.int64), np.full(len(clusters), floor)
    c_rank = np.full(len(clusters), len(boxes))
    for i, (x0, y0, x1, y1) in enumerate(clusters):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        holds = (boxes[:, 0] <= cx) & (cx <= boxes[:, 2]) & (boxes[:, 1] <= cy) & (cy <= boxes[:, 3])
        if holds.any():
            j = int(np.flatnonzero(holds)[np.argmax(scores[holds])])
            c_cls[i], c_score[i], c_rank[i] = classes[j], scores[j], j
    all_boxes = np.concatenate([boxes, clusters])
    all_scores = np.concatenate([scores, c_score])
    is_cluster = np.r_[np.zeros(len(boxes), bool), np.ones(len(clusters), bool)]
    score_logit = logit(all_scores)
    best = float(score_logit.max()) if len(score_logit) else 0.0
    rank = np.concatenate([np.arange(len(boxes)), c_rank])  # the SSD's list is best first
    side_mm = np.maximum(all_boxes[:, 2] - all_boxes[:, 0], all_boxes[:, 3] - all_boxes[:, 1]) * spacing_mm[1]
    feats = np.column_stack([score_logit, score_logit - best, np.log1p(rank), np.log(np.maximum(side_mm, 0.5)),
                             is_cluster.astype(np.float64), cc.box_features(specks, all_boxes),
                             blob_contrast(rendered, all_boxes)])
    return Candidates(all_boxes, np.concatenate([classes, c_cls]), all_scores, is_cluster,
                      feats.reshape(-1, len(FEATURES)))


def rescore(cands: Candidates, rule: LogisticRule, containment: float | None,
            max_detections: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(boxes, class ids, scores) re-scored by ``rule``, best first, nests dropped, at most ``max_detections``."""
    if len(cands.boxes) == 0:
        return cands.boxes, cands.classes, np.zeros(0)
    s = rule.probability(cands.features)
    order = np.argsort(-s, kind="stable")
    b, c, s = cands.boxes[order], cands.classes[order], s[order]
    if containment is not None and len(b) > 1:
        keep = containment_suppression(b, containment)
        b, c, s = b[keep], c[keep], s[keep]
    return b[:max_detections], c[:max_detections], s[:max_detections]

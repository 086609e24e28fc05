"""Re-ranking a film's findings by the rest of its candidate list (card ``"film_context"``).

False positives are counted over all films, so a finding competes with the findings of every other
film. A linear rule on a finding's score and a few facts of its film's candidate list (how it stands
against the film's best, its rank, how crowded the film is, its size) gives a score that ranks
findings across films; ``mammoviewer.research.candidate_context_cv`` fits and cross-validates it.
Pure numpy.
"""

from __future__ import annotations

import numpy as np

#: a finding's features, from its film's candidates (best first)
FEATURES = ("logit", "gap", "rank", "busy", "side_mm")
#: how many of the film's best scores make ``busy``
BUSY_TOP = 10


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def features(scores: np.ndarray, boxes: np.ndarray, spacing_mm: float | tuple[float, float]) -> np.ndarray:
    """``[N, len(FEATURES)]`` for a film's candidates ``scores`` (best first) and ``boxes`` (x0, y0, x1, y1
    in pixels of ``spacing_mm``, one value or (row, column)): its logit, the logit minus the best's, ``log(1 + rank)``, the sum of the film's
    ``BUSY_TOP`` best scores, ``log`` of the box side in mm."""
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if s.size == 0:
        return np.zeros((0, len(FEATURES)))
    if np.any(np.diff(s) > 0):
        raise ValueError("film_context.features: scores must be sorted best first")
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    row_mm, col_mm = (spacing_mm, spacing_mm) if np.isscalar(spacing_mm) else spacing_mm
    side = np.maximum((b[:, 2] - b[:, 0]) * col_mm, (b[:, 3] - b[:, 1]) * row_mm)
    z = logit(s)
    return np.stack([z, z - z[0], np.log1p(np.arange(s.size)), np.full(s.size, s[:BUSY_TOP].sum()),
                     np.log(np.maximum(side, 0.5))], axis=1)


def rule_from_card(block) -> "LogisticRule":
    """The card's ``"film_context"`` rule; ValueError unless it names some of ``FEATURES`` with finite numbers."""
    from mammoviewer.detect.logistic import LogisticRule

    names = tuple(block.get("features", ())) if isinstance(block, dict) else ()
    if not names or any(n not in FEATURES for n in names) or len(set(names)) != len(names):
        raise ValueError(f"film-context rule names features {list(names)}; expected some of {list(FEATURES)}")
    return LogisticRule.from_dict(block, names, what="film-context rule")


def rescore(rule, scores: np.ndarray, boxes: np.ndarray,
            spacing_mm: float | tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """The ``rule``'s (a ``logistic.LogisticRule`` on some of ``FEATURES``) scores of a film's candidates,
    in their order, and the order that sorts them best first by the new score."""
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if s.size == 0:
        return np.zeros(0), np.zeros(0, dtype=int)
    best_first = np.argsort(-s, kind="stable")
    x = features(s[best_first], np.asarray(boxes, dtype=np.float64).reshape(-1, 4)[best_first], spacing_mm)
    new = np.empty(s.size)
    new[best_first] = rule.probability(x[:, [FEATURES.index(f) for f in rule.features]])
    return new, np.argsort(-new, kind="stable")

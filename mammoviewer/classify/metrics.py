"""Case-level metrics as pure numpy functions: accuracy, sensitivity/specificity, ROC, AUC, confusion.

Classes are indices into ``CLASSES`` (0 normal, 1 benign, 2 malignant). Binary tasks take
``positive`` flags (True = abnormal / malignant) and a score where higher means more positive.
"""

from __future__ import annotations

import numpy as np

CLASSES = ("normal", "benign", "malignant")


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 3) -> np.ndarray:
    """``[n, n]`` counts: row = true class, column = predicted class."""
    t = np.asarray(y_true, dtype=np.intp).ravel()
    p = np.asarray(y_pred, dtype=np.intp).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.size} items but y_pred has {p.size}")
    if t.size and (min(t.min(), p.min()) < 0 or max(t.max(), p.max()) >= n_classes):
        raise ValueError(f"class indices must lie in 0..{n_classes - 1}")
    out = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(out, (t, p), 1)
    return out


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of exact matches; NaN for no items."""
    t, p = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    return float(np.mean(t == p)) if t.size else float("nan")


def sensitivity_specificity(positive: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """(TP / P, TN / N) of boolean arrays; NaN where a class is absent."""
    pos = np.asarray(positive, dtype=bool).ravel()
    pred = np.asarray(predicted, dtype=bool).ravel()
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    sens = float((pos & pred).sum() / n_pos) if n_pos else float("nan")
    spec = float((~pos & ~pred).sum() / n_neg) if n_neg else float("nan")
    return sens, spec


def roc_curve(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(false-positive rates, true-positive rates, thresholds), from (0, 0) to (1, 1).

    One point per distinct score (ties move diagonally); ``thresholds[i]`` is the lowest score
    called positive at point ``i`` (``+inf`` for the origin).
    """
    pos = np.asarray(positive, dtype=bool).ravel()
    s = np.asarray(score, dtype=np.float64).ravel()
    if pos.shape != s.shape:
        raise ValueError(f"positive has {pos.size} items but score has {s.size}")
    if not pos.any() or pos.all():
        raise ValueError("ROC needs at least one positive and one negative case")
    order = np.argsort(-s, kind="mergesort")
    s, pos = s[order], pos[order]
    last = np.r_[np.flatnonzero(np.diff(s)), s.size - 1]  # last index of each distinct score
    tp = np.cumsum(pos)[last]
    fp = (last + 1) - tp
    tpr = np.r_[0.0, tp / pos.sum()]
    fpr = np.r_[0.0, fp / (~pos).sum()]
    return fpr, tpr, np.r_[np.inf, s[last]]


def auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (trapezoids: a tie counts one half); NaN if a class is absent."""
    pos = np.asarray(positive, dtype=bool).ravel()
    if not pos.any() or pos.all():
        return float("nan")
    fpr, tpr, _ = roc_curve(pos, score)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def threshold_for_sensitivity(positive: np.ndarray, score: np.ndarray, target: float) -> float:
    """The highest threshold whose sensitivity (score >= threshold) reaches ``target``."""
    fpr, tpr, thr = roc_curve(positive, score)
    i = int(np.argmax(tpr >= target - 1e-12))
    return float(thr[max(i, 1)])


def case_scores(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(abnormal score = 1 - p(normal), malignant score = p(malignant)) from ``[N, 3]`` probabilities."""
    p = np.asarray(probabilities, dtype=np.float64)
    return 1.0 - p[:, 0], p[:, 2]


def decide(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """Class indices at the operating point: normal if 1 - p(normal) < ``threshold``, else the
    likelier of benign and malignant."""
    p = np.asarray(probabilities, dtype=np.float64)
    return np.where(1.0 - p[:, 0] < threshold, 0, 1 + np.argmax(p[:, 1:], axis=1))


def summarise(y_true: np.ndarray, probabilities: np.ndarray, threshold: float | np.ndarray) -> dict:
    """JSON-ready figures for 3-class ``probabilities`` against true class indices.

    ``threshold`` is the operating point on the abnormal score (1 - p(normal)), one for all films
    or one per film; accuracy and the confusion matrix use ``decide`` at that point. The
    ``"threshold"`` figure is None when the films had different ones.
    """
    y = np.asarray(y_true, dtype=np.intp).ravel()
    p = np.asarray(probabilities, dtype=np.float64)
    abnormal, malignant = case_scores(p)
    sens, spec = sensitivity_specificity(y > 0, abnormal >= threshold)
    pred = decide(p, threshold)
    cm = confusion_matrix(y, pred)
    return {
        "films": int(y.size),
        "accuracy": accuracy(y, pred),
        "auc_normal_vs_abnormal": auc(y > 0, abnormal),
        "auc_malignant_vs_rest": auc(y == 2, malignant),
        "threshold": float(np.ravel(threshold)[0]) if np.unique(threshold).size == 1 else None,
        "sensitivity": sens,
        "specificity": spec,
        "confusion_matrix": {"classes": list(CLASSES), "rows_true_columns_predicted": cm.tolist()},
    }

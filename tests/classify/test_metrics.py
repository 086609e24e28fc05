"""Golden values of the case metrics on hand-made cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mammoviewer.classify.metrics import (
    accuracy, auc, case_scores, confusion_matrix, decide, roc_curve, sensitivity_specificity, summarise,
    threshold_for_sensitivity,
)

POS = np.array([1, 1, 0, 0, 1, 0], bool)


def test_auc_of_perfect_inverted_and_tied_rankings() -> None:
    perfect = np.where(POS, 0.9, 0.1) + np.arange(6) * 1e-3
    assert auc(POS, perfect) == 1.0
    assert auc(POS, -perfect) == 0.0
    assert auc(POS, np.full(6, 0.3)) == 0.5


def test_auc_counts_pairs_and_half_ties() -> None:
    # positives 0.8, 0.4, 0.4; negatives 0.5, 0.4, 0.1 -> pairs won 1+1+1 + 0+0.5+1 + 0+0.5+1 = 6 of 9
    pos = np.array([1, 1, 1, 0, 0, 0], bool)
    score = np.array([0.8, 0.4, 0.4, 0.5, 0.4, 0.1])
    assert auc(pos, score) == pytest.approx(6 / 9)


def test_roc_curve_points_and_thresholds() -> None:
    fpr, tpr, thr = roc_curve([1, 0, 1, 0], [0.9, 0.7, 0.6, 0.1])
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    assert thr[0] == math.inf and list(thr[1:]) == [0.9, 0.7, 0.6, 0.1]
    assert threshold_for_sensitivity([1, 0, 1, 0], [0.9, 0.7, 0.6, 0.1], 1.0) == 0.6


def test_roc_needs_both_classes_and_auc_is_nan_without() -> None:
    with pytest.raises(ValueError, match="at least one positive"):
        roc_curve([1, 1], [0.2, 0.3])
    assert math.isnan(auc([0, 0], [0.2, 0.3]))


def test_confusion_matrix_rows_are_truth() -> None:
    cm = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    with pytest.raises(ValueError, match="0..2"):
        confusion_matrix([3], [0])


def test_accuracy_sensitivity_specificity() -> None:
    assert accuracy([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    sens, spec = sensitivity_specificity([1, 1, 1, 0, 0], [1, 0, 1, 1, 0])
    assert sens == pytest.approx(2 / 3) and spec == 0.5


def test_summarise_uses_one_minus_normal_as_abnormal_score() -> None:
    p = np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.6, 0.1, 0.3]])
    y = np.array([0, 1, 2, 2])
    ab, mal = case_scores(p)
    np.testing.assert_allclose(ab, [0.3, 0.8, 0.9, 0.4])
    np.testing.assert_allclose(mal, [0.1, 0.3, 0.7, 0.3])
    s = summarise(y, p, threshold=0.5)
    assert s["accuracy"] == 0.75
    assert s["sensitivity"] == pytest.approx(2 / 3) and s["specificity"] == 1.0
    assert s["auc_normal_vs_abnormal"] == 1.0
    assert s["auc_malignant_vs_rest"] == pytest.approx(3.5 / 4)  # 0.7 beats both; 0.3 ties 0.3, beats 0.1
    assert s["confusion_matrix"]["rows_true_columns_predicted"] == [[1, 0, 0], [0, 1, 0], [1, 0, 1]]
    low = summarise(y, p, threshold=0.35)  # row 4 (abnormal score 0.4) now abnormal: benign 0.1 < malignant 0.3
    assert low["accuracy"] == 1.0 and low["specificity"] == 1.0 and low["sensitivity"] == 1.0


def test_decide_uses_the_threshold_then_the_likelier_abnormal_class() -> None:
    p = np.array([[0.6, 0.3, 0.1], [0.6, 0.1, 0.3], [0.2, 0.5, 0.3]])
    assert decide(p, 0.5).tolist() == [0, 0, 1]
    assert decide(p, 0.3).tolist() == [1, 2, 1]

"""Detector top score as a case score, and the rank average used to combine it with the classifier."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from mammoviewer.research.case_score_compare import _ranks, detector_case_scores

from shared_paths import SAMPLES


@dataclass
class _Found:
    score: float
    label: str


class _FixedDetector:
    """Returns the same findings for every image (the real detector is exercised in tests/detect)."""

    def __init__(self, found):
        self.found = found

    def detect(self, image, threshold=0.0):
        return [d for d in self.found if d.score >= threshold]


def test_ranks_are_scaled_and_share_ties() -> None:
    np.testing.assert_allclose(_ranks(np.array([0.3, 0.1, 0.3, 0.9])), [0.5, 0.0, 0.5, 1.0])


def test_detector_case_scores_take_the_top_finding(tmp_path: Path) -> None:
    film = SAMPLES / "mdb023.pgm"
    det = _FixedDetector([_Found(0.4, "benign"), _Found(0.7, "benign"), _Found(0.2, "malignant")])
    np.testing.assert_allclose(detector_case_scores(det, [str(film)]), [[0.7, 0.2]])
    np.testing.assert_allclose(detector_case_scores(_FixedDetector([]), [str(film)]), [[0.0, 0.0]])


def test_held_out_fold_is_read_from_the_card_or_its_training_record() -> None:
    from mammoviewer.research.case_score_compare import held_out_fold

    assert held_out_fold({"fold_held_out": 2}) == (2, None)
    assert held_out_fold({"training": {"fold_held_out": 0, "train_patients": [1, 3]}}) == (0, {1, 3})
    assert held_out_fold({"training": {"fold_held_out": None}}) == (None, None)
    assert held_out_fold({}) == (None, None)


def test_summarise_folds_skips_deferred_folds() -> None:
    from mammoviewer.research.case_score_compare import summarise_folds

    def fold(k, a):
        return {"fold": k, "films": 10, **{key: {"auc_normal_vs_abnormal": a, "auc_malignant_vs_rest": 1 - a}
                                          for key in ("classifier", "detector_top_score", "rank_average")}}

    s = summarise_folds([fold(0, 0.6), {"deferred": "trained on it"}, fold(2, 0.8)])
    assert s["folds"] == [0, 2] and s["films"] == 20
    assert s["detector_top_score"]["auc_normal_vs_abnormal"]["mean"] == pytest.approx(0.7)
    assert s["classifier"]["auc_malignant_vs_rest"]["sd"] == pytest.approx(0.1414, abs=1e-4)

"""Cross-validation bookkeeping: pooling per-fold decisions and the mean ± sd over folds."""

from __future__ import annotations

import numpy as np
import pytest

from mammoviewer.research.classifier_cv import cross_validate, mean_sd, pool_decisions
from mammoviewer.classify.data import CaseFilm


def _fold(cm):
    return {"confusion_matrix": {"rows_true_columns_predicted": cm}}


def test_pool_decisions_sums_the_folds() -> None:
    pooled = pool_decisions([_fold([[3, 1, 0], [1, 1, 0], [0, 0, 2]]), _fold([[2, 0, 0], [0, 1, 1], [1, 0, 0]])])
    assert pooled["confusion_matrix"]["rows_true_columns_predicted"] == [[5, 1, 0], [1, 2, 1], [1, 0, 2]]
    assert pooled["accuracy"] == pytest.approx(9 / 13)
    assert pooled["sensitivity"] == pytest.approx(5 / 7) and pooled["specificity"] == pytest.approx(5 / 6)


def test_cross_validate_scores_each_film_once_on_its_own_fold() -> None:
    films = [CaseFilm(f"mdb{i:03d}", (i + 1) // 2, "x", ("normal", "benign", "malignant")[i % 3]) for i in range(1, 13)]
    y = np.array([f.label_index for f in films])
    split = {"folds": [{"films": [f.ref for f in films[:6]]}, {"films": [f.ref for f in films[6:]]}]}
    seen = []

    def fit_predict(tr, val):
        assert not set(tr) & set(val)
        seen.extend(val)
        return np.eye(3)[y[val]] * 0.9 + 0.1 / 3, {"loss": [1.0, 0.5], "threshold": 0.5}

    res = cross_validate(films, y, split, fit_predict, threshold=0.9, log=lambda m: None)
    assert sorted(seen) == list(range(12))
    assert res["mean_sd"]["auc_normal_vs_abnormal"] == {"mean": 1.0, "sd": 0.0}
    assert res["pooled"]["accuracy"] == 1.0 and res["folds"][0]["threshold"] == 0.5
    assert set(res["out_of_fold_probabilities"]["films"]) == {f.ref for f in films}
    assert mean_sd([0.5, 0.7]) == {"mean": pytest.approx(0.6), "sd": pytest.approx(0.1414, abs=1e-4)}

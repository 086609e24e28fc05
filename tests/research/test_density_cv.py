"""The density cross-validation: the kappa and confusion figures, and folds that never see their own films."""

import numpy as np
import pytest

from mammoviewer.density.measure import FEATURES
from mammoviewer.research.density_cv import confusion, cross_validate, weighted_kappa


def test_weighted_kappa_golden_values():
    t = np.array([0, 1, 2, 0, 1, 2])
    assert weighted_kappa(t, t) == pytest.approx(1.0)
    assert weighted_kappa(t, 2 - t) < 0  # reversed grades: worse than chance
    # one F called G out of six: observed weighted disagreement 1/4 over 6 films
    p = np.array([1, 1, 2, 0, 1, 2])
    observed = np.zeros((3, 3))
    np.add.at(observed, (t, p), 1)
    w = (np.subtract.outer(np.arange(3), np.arange(3)) ** 2) / 4
    expected = np.outer(observed.sum(1), observed.sum(0)) / 6
    assert weighted_kappa(t, p) == pytest.approx(1 - (w * observed).sum() / (w * expected).sum())
    assert confusion(t, p) == [[1, 1, 0], [0, 2, 0], [0, 0, 2]]


def test_cross_validation_on_separable_films_is_perfect_and_uses_the_split():
    refs = [f"mdb{i:03d}" for i in range(1, 31)]
    y = np.array([i % 3 for i in range(30)])
    x = np.zeros((30, len(FEATURES)))
    x[:, 0] = y * 10.0 + np.linspace(0, 1, 30)  # percent density alone separates the classes
    split = {"folds": [{"films": refs[k::5]} for k in range(5)]}
    res = cross_validate(refs, x, y, split, log=lambda *a: None, features=("percent_density",))
    assert res["accuracy"]["mean"] == 1.0 and res["weighted_kappa"]["mean"] == pytest.approx(1.0)
    assert sum(f["films"] for f in res["folds"]) == 30
    assert res["confusion"] == [[10, 0, 0], [0, 10, 0], [0, 0, 10]]
    with pytest.raises(SystemExit, match="not in the split"):
        cross_validate(refs + ["mdb099"], np.vstack([x, x[:1]]), np.r_[y, 0], split, log=lambda *a: None)

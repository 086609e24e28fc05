"""The second stage's logistic rule: fitting, and reading it back from a model card."""

import numpy as np
import pytest

from mammoviewer.detect.logistic import LogisticRule, fit

NAMES = ("a", "b", "c")


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)) * [1.0, 5.0, 1.0] + [0.0, 10.0, 0.0]
    z = 2.0 * x[:, 0] - 0.4 * (x[:, 1] - 10.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    return x, y


def test_fit_finds_the_signs_and_ignores_the_noise_feature():
    x, y = _data()
    rule = fit(x, y, NAMES, l2=1.0)
    assert rule.weights[0] > 1.0 and rule.weights[1] < -1.0 and abs(rule.weights[2]) < 0.4
    p = rule.probability(x)
    assert p.shape == (len(x),) and np.all((p > 0) & (p < 1))
    assert p[y == 1].mean() > p[y == 0].mean() + 0.3


def test_a_stronger_prior_shrinks_the_weights():
    x, y = _data()
    assert np.abs(fit(x, y, NAMES, l2=1000.0).weights).sum() < np.abs(fit(x, y, NAMES, l2=0.1).weights).sum()


def test_separable_data_stays_finite():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    rule = fit(x, np.array([0, 0, 1, 1.0]), ("a",), l2=0.01)
    assert np.all(np.isfinite(rule.weights)) and rule.probability([[3.0]])[0] > 0.9


def test_the_rule_round_trips_through_a_card():
    x, y = _data()
    rule = fit(x, y, NAMES)
    back = LogisticRule.from_dict(rule.to_dict(), NAMES)
    assert np.allclose(back.probability(x), rule.probability(x), atol=1e-5)


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(features=["a", "b", "x"]), "expected"),
    (lambda d: d.update(weights=[1.0, 2.0]), "wrong lengths"),
    (lambda d: d.update(sd=[1.0, 0.0, 1.0]), "zero sd"),
    (lambda d: d.update(bias=float("nan")), "non-finite"),
    (lambda d: d.pop("mean"), "not readable"),
    (lambda d: d.update(weights="abc"), "not readable"),
])
def test_a_broken_rule_is_refused(change, message):
    d = fit(*_data(), NAMES).to_dict()
    change(d)
    with pytest.raises(ValueError, match=message):
        LogisticRule.from_dict(d, NAMES)

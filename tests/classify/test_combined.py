"""The combined case score rule and its cross-validated fit (no model involved)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mammoviewer.classify.combined import CombinedRule, fit_logistic
from mammoviewer.errors import DetectorError

RULE = CombinedRule(slope=7.0, intercept=-4.5, top_k=3, threshold=0.35)


def test_detector_score_sums_the_top_k_scores():
    assert RULE.detector_score([0.1, 0.9, 0.3, 0.5]) == pytest.approx(0.9 + 0.5 + 0.3)
    assert RULE.detector_score([0.2]) == pytest.approx(0.2)
    assert RULE.detector_score([]) == 0.0


def test_probabilities_golden_values():
    p = RULE.probabilities([0.4, 0.2, 0.1, 0.05], {"normal": 0.5, "benign": 0.1, "malignant": 0.4})
    abnormal = 1 / (1 + math.exp(-(7.0 * 0.7 - 4.5)))  # 0.5987
    assert p["normal"] == pytest.approx(1 - abnormal)
    assert p["malignant"] == pytest.approx(abnormal * 0.8)
    assert p["benign"] == pytest.approx(abnormal * 0.2)
    assert list(p) == ["normal", "benign", "malignant"] and sum(p.values()) == pytest.approx(1.0)
    assert RULE.decide(p) == "malignant"
    quiet = RULE.probabilities([], {"normal": 0.1, "benign": 0.0, "malignant": 0.0})
    assert quiet["normal"] == pytest.approx(1 - 1 / (1 + math.exp(4.5)))
    assert quiet["benign"] == pytest.approx(quiet["malignant"])  # no lesion opinion: an even split
    assert RULE.decide(quiet) == "normal"


def test_extreme_scores_do_not_overflow():
    steep = CombinedRule(slope=1e4, intercept=0.0)
    assert steep.p_abnormal([1.0]) == pytest.approx(1.0)
    assert CombinedRule(slope=1e4, intercept=-1e5).p_abnormal([0.0]) == pytest.approx(0.0)


def test_card_round_trip_and_malformed_blocks():
    assert CombinedRule.from_card({"case_score": RULE.to_card()}) == RULE
    assert CombinedRule.from_card({}) is None
    with pytest.raises(DetectorError, match="case_score"):
        CombinedRule.from_card({"case_score": {"slope": "steep"}})
    with pytest.raises(DetectorError, match="out of range"):
        CombinedRule.from_card({"case_score": {"slope": 1.0, "intercept": 0.0, "top_k": 0}})


def test_fit_logistic_recovers_a_known_relation():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 4000)
    y = rng.uniform(size=x.size) < 1 / (1 + np.exp(-(2.0 * x - 0.5)))
    a, b = fit_logistic(x, y, iterations=4000, step=1.0)
    assert a == pytest.approx(2.0, abs=0.25) and b == pytest.approx(-0.5, abs=0.15)
    with pytest.raises(ValueError):
        fit_logistic([0.1, 0.2], [True, True])



PAIRED = CombinedRule(slope=6.0, intercept=-1.0, top_k=2, threshold=0.4, contralateral=True)


def test_contralateral_rule_subtracts_the_other_breast():
    assert PAIRED.detector_score([0.9, 0.5, 0.1], [0.3, 0.2, 0.2]) == pytest.approx(1.4 - 0.5)
    assert PAIRED.p_abnormal([0.6], [0.6]) == pytest.approx(1 / (1 + math.exp(1.0)))  # alike: the intercept
    with pytest.raises(ValueError, match="other breast"):
        PAIRED.p_abnormal([0.6])
    assert RULE.detector_score([0.6], [0.9]) == pytest.approx(0.6)  # the single-film rule ignores it


def test_contralateral_rule_card_round_trip():
    card = {"case_score": dict(RULE.to_card(), contralateral=PAIRED.to_card())}
    assert CombinedRule.from_card(card) == RULE
    assert CombinedRule.paired_from_card(card) == PAIRED
    assert CombinedRule.paired_from_card({"case_score": RULE.to_card()}) is None
    with pytest.raises(DetectorError, match="contralateral"):
        CombinedRule.paired_from_card({"case_score": {"contralateral": {"slope": 1.0}}})

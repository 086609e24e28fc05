"""The tissue rule: fitting, the bundled card, and refusing a malformed rule."""

import json

import numpy as np
import pytest

from mammoviewer.density.tissue import TISSUES, TissueRule, fit, load_rule, read_card
from mammoviewer.errors import DetectorError

from shared_paths import MODELS


def test_fit_separates_three_ordered_groups():
    x = np.r_[np.full(20, 1.0), np.full(20, 5.0), np.full(20, 9.0)][:, None] + np.tile(np.linspace(-1, 1, 20), 3)[:, None]
    y = np.repeat([0, 1, 2], 20)
    rule = fit(x, y, ("percent_density",))
    assert (np.argmax(rule.scores(x), axis=1) == y).all()
    again = TissueRule.from_dict(json.loads(json.dumps(rule.to_dict())))
    assert again.classify({"percent_density": 9.0})[0] == "D"


def test_the_bundled_card_holds_the_rule_and_its_cross_validated_figures():
    card = read_card(MODELS / "density")
    rule = load_rule()
    assert rule.features == tuple(card["rule"]["features"])
    cv = card["cross_validation"]
    assert cv["films"] >= 200 and sum(map(sum, cv["confusion"])) == cv["films"]
    assert 0.0 < cv["accuracy"]["mean"] <= 1.0 and cv["accuracy"]["sd"] > 0
    tissue, scores = rule.classify(dict.fromkeys(rule.features, 0.0) | dict(zip(rule.features, rule.mean)))
    assert tissue in TISSUES and sum(scores.values()) == pytest.approx(1.0, abs=1e-5)


def test_a_malformed_rule_is_refused_naming_the_card(tmp_path):
    path = tmp_path / "card.json"
    path.write_text(json.dumps({"rule": {"features": ["a"], "mean": [0], "sd": [0], "weights": [[1, 2, 3]],
                                         "bias": [0, 0, 0]}}))
    with pytest.raises(DetectorError, match=r"card\.json: field 'rule': not a tissue rule"):
        load_rule(path)
    path.write_text("{")
    with pytest.raises(DetectorError, match="not a readable density card"):
        load_rule(path)

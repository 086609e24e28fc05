"""Re-ranking a film's findings by its candidate list: features, the rule, and the detector running it."""

import json
import shutil

import numpy as np
import pytest

from mammoviewer.detect import film_context as fc
from mammoviewer.detect.logistic import LogisticRule

from shared_paths import MIAS

FILM = MIAS / "mdb023.png"


def _rule(**weights) -> LogisticRule:
    names = tuple(weights)
    return LogisticRule(names, (0.0,) * len(names), (1.0,) * len(names), tuple(map(float, weights.values())), 0.0)


def test_features_of_a_film():
    s = np.array([0.8, 0.5, 0.2])
    boxes = np.array([[0, 0, 10, 10], [0, 0, 20, 40], [5, 5, 10, 10]], dtype=float)
    f = fc.features(s, boxes, (0.2, 0.1))
    col = {n: i for i, n in enumerate(fc.FEATURES)}
    assert f.shape == (3, len(fc.FEATURES))
    assert f[:, col["logit"]] == pytest.approx(np.log(s / (1 - s)))
    assert f[0, col["gap"]] == 0.0 and f[1, col["gap"]] == pytest.approx(-np.log(4.0))
    assert f[:, col["rank"]] == pytest.approx(np.log([1.0, 2.0, 3.0]))
    assert f[:, col["busy"]] == pytest.approx([1.5] * 3)
    assert f[:, col["side_mm"]] == pytest.approx(np.log([2.0, 8.0, 1.0]))  # rows 0.2 mm, columns 0.1 mm
    assert fc.features(np.zeros(0), np.zeros((0, 4)), 0.2).shape == (0, len(fc.FEATURES))
    with pytest.raises(ValueError, match="sorted"):
        fc.features(s[::-1], boxes, 0.2)


def test_rescore_keeps_the_input_order_and_gives_the_new_one():
    s = np.array([0.2, 0.8, 0.5])  # not sorted
    boxes = np.array([[0, 0, 50, 50], [0, 0, 5, 5], [0, 0, 10, 10]], dtype=float)
    new, order = fc.rescore(_rule(logit=1.0), s, boxes, 0.2)
    assert new == pytest.approx(s) and list(order) == [1, 2, 0]  # logit alone: the score itself
    new, order = fc.rescore(_rule(side_mm=3.0), s, boxes, 0.2)
    assert list(order) == [0, 2, 1]  # the largest box first
    empty, none = fc.rescore(_rule(logit=1.0), np.zeros(0), np.zeros((0, 4)), 0.2)
    assert empty.size == 0 and none.size == 0


def test_rule_from_card_checks_its_features():
    block = _rule(logit=1.0, busy=-0.5).to_dict()
    assert fc.rule_from_card(block).features == ("logit", "busy")
    with pytest.raises(ValueError, match="expected some of"):
        fc.rule_from_card({**block, "features": ["logit", "partner_gap"]})
    with pytest.raises(ValueError, match="film-context rule has wrong lengths"):
        fc.rule_from_card({**block, "weights": [1.0]})


@pytest.mark.skipif(not FILM.is_file(), reason="shared MIAS data not present")
def test_the_detector_runs_the_film_context_rule_of_its_card(tmp_path):
    from mammoviewer.detect import Detector, default_model_path
    from mammoviewer.errors import DetectorError
    from mammoviewer.io import load_image

    src = default_model_path().parent
    shutil.copyfile(src / "model.keras", tmp_path / "model.keras")
    card = json.loads((src / "model.json").read_text())
    card.pop("film_context", None)
    (tmp_path / "model.json").write_text(json.dumps(card))
    image = load_image(FILM)
    plain = Detector.load(tmp_path, device="cpu").detect(image)
    card["film_context"] = _rule(logit=1.0).to_dict()  # the identity
    (tmp_path / "model.json").write_text(json.dumps(card))
    same = Detector.load(tmp_path, device="cpu").detect(image)
    assert [d.box for d in same] == [d.box for d in plain]
    assert [d.score for d in same] == pytest.approx([d.score for d in plain], abs=1e-9)
    card["film_context"] = _rule(side_mm=4.0).to_dict()
    (tmp_path / "model.json").write_text(json.dumps(card))
    det = Detector.load(tmp_path, device="cpu")
    found = det.detect(image)
    assert len(found) == len(plain) and det.film_context is not None
    sides = [max(d.box[2] - d.box[0], d.box[3] - d.box[1]) for d in found]
    assert sides[0] == pytest.approx(max(sides)) and [d.score for d in found] == sorted(
        (d.score for d in found), reverse=True)
    assert all(d.score >= 0.9 for d in det.detect(image, threshold=0.9))
    card["film_context"]["features"] = ["nothing"]
    (tmp_path / "model.json").write_text(json.dumps(card))
    with pytest.raises(DetectorError, match="model.keras: film-context rule names features"):
        Detector.load(tmp_path, device="cpu")

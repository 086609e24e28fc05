"""A tiny training run on tiny synthetic films, class weights, and the save/load round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mammoviewer.classify.augment import AugmentSettings, augment
from mammoviewer.classify.model import ModelSettings
from mammoviewer.classify.training import TrainSettings, class_weights, predict, train

pytestmark = pytest.mark.slow

TINY = TrainSettings(epochs=6, batch_size=8, learning_rate=1e-2, model=ModelSettings(size=32, width=4, dropout=0.0))


def _films(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Class 0: plain tissue; 1: a bright dot; 2: a bright bar. 32 x 32, chest wall on the left."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    x = np.zeros((n, 32, 32), np.float32)
    x[:, 4:28, :20] = 0.3 + 0.05 * rng.random((n, 24, 20))
    for i, c in enumerate(y):
        r, col = rng.integers(10, 20), rng.integers(4, 14)
        if c == 1:
            x[i, r - 2 : r + 2, col : col + 4] = 1.0
        elif c == 2:
            x[i, 6:26, col : col + 3] = 1.0
    return x, y


def test_class_weights_balance_the_classes() -> None:
    w = class_weights(np.array([0, 0, 0, 0, 1, 1, 2, 0]))
    assert w == pytest.approx({0: 8 / 15, 1: 8 / 6, 2: 8 / 3})
    assert class_weights(np.array([0, 0]))[2] == 1.0


def test_augment_keeps_shape_range_and_is_seeded() -> None:
    x, _ = _films(1)
    a = augment(x[0], np.random.default_rng(3), AugmentSettings())
    b = augment(x[0], np.random.default_rng(3), AugmentSettings())
    assert a.shape == (32, 32) and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, augment(x[0], np.random.default_rng(4)))


def test_tiny_training_lowers_the_loss_and_round_trips(tmp_path) -> None:
    from mammoviewer.classify.classifier import CaseClassifier, save_classifier

    x, y = _films(24)
    model, hist = train(x, y, TINY)
    assert len(hist["loss"]) == 6
    assert hist["loss"][-1] < 0.8 * hist["loss"][0]
    p = predict(model, x)
    assert p.shape == (24, 3) and np.allclose(p.sum(axis=1), 1.0, atol=1e-5)

    save_classifier(model, tmp_path, pixel_mm=0.8, size=32, threshold=0.4, trained_on=["mdb001"], history=hist)
    card = json.loads((tmp_path / "card.json").read_text())
    assert card["input"]["size"] == 32 and card["trained_on_refs"] == ["mdb001"]
    assert "research use only" in card["weights_origin"]
    clf = CaseClassifier.load(tmp_path)
    assert (clf.name, clf.size, clf.threshold, clf.mode) == ("case-classifier", 32, 0.4, "film")
    np.testing.assert_allclose(clf.predict_array(x), p, atol=1e-5)
    assert clf.decide({"normal": 0.7, "benign": 0.1, "malignant": 0.2}) == "normal"  # 0.3 < 0.4
    assert clf.decide({"normal": 0.5, "benign": 0.1, "malignant": 0.4}) == "malignant"
    assert clf.decide({"normal": 0.5, "benign": 0.3, "malignant": 0.2}) == "benign"


def test_loading_a_broken_model_is_a_detector_error(tmp_path) -> None:
    from mammoviewer.classify.classifier import CaseClassifier
    from mammoviewer.errors import DetectorError

    with pytest.raises(DetectorError, match="not found"):
        CaseClassifier.load(tmp_path / "missing")
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DetectorError, match="cannot load the case classifier"):
        CaseClassifier.load(tmp_path)
    foreign = tmp_path / "scan.dcm"
    foreign.write_bytes(b"DICM")
    with pytest.raises(DetectorError, match=r"scan\.dcm: not a Keras model file"):
        CaseClassifier.load(foreign)

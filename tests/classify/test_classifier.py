"""Loading the case classifier: its ONNX twin on ONNX Runtime, the same probabilities as Keras."""

from __future__ import annotations

import numpy as np
import pytest

from mammoviewer.classify.classifier import CaseClassifier
from mammoviewer.detect import light_runtime as lr

from shared_paths import MIAS

pytestmark = pytest.mark.skipif(not lr.available(), reason="ONNX Runtime not installed")


def test_the_bundled_classifier_runs_its_twin_with_the_probabilities_of_keras(monkeypatch):
    bundled = CaseClassifier.load()
    if not isinstance(bundled.model, lr.LightModel):
        pytest.skip("the bundled classifier has no ONNX twin here")
    assert bundled.model.input_shape[1:] == (bundled.model.input_shape[1], bundled.model.input_shape[1], 1)
    if not (MIAS / "mdb023.png").is_file():
        pytest.skip("shared MIAS films not present")
    pytest.importorskip("keras")
    from mammoviewer.io import load_image

    monkeypatch.setenv(lr.RUNTIME_ENV, "tensorflow")
    keras_clf = CaseClassifier.load()
    assert not isinstance(keras_clf.model, lr.LightModel)
    for name in ("mdb023.png", "mdb028.png"):
        image = load_image(MIAS / name)
        a, b = bundled.predict(image), keras_clf.predict(image)
        assert a.keys() == b.keys() and max(abs(a[k] - b[k]) for k in a) < 1e-4, name


@pytest.mark.slow  # exports with tf2onnx
def test_save_classifier_writes_the_twin_the_loader_runs(tmp_path):
    pytest.importorskip("tf2onnx")
    from mammoviewer.classify.classifier import save_classifier
    from mammoviewer.classify.model import ModelSettings, build_model
    from mammoviewer.classify.training import predict

    model = build_model(ModelSettings(size=32, width=4), seed=0)
    save_classifier(model, tmp_path, pixel_mm=0.8, size=32, threshold=0.5, trained_on=["mdb001"])
    clf = CaseClassifier.load(tmp_path)
    assert isinstance(clf.model, lr.LightModel) and clf.size == 32
    x = np.random.default_rng(1).random((3, 32, 32), dtype=np.float32)
    np.testing.assert_allclose(clf.predict_array(x), predict(model, x), atol=1e-5)

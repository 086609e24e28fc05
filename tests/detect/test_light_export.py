"""Saving writes model.keras and its ONNX twin from one save; the converter adds twins to saved models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("keras")
pytest.importorskip("tf2onnx")

from mammoviewer import keras_runtime  # noqa: E402
from mammoviewer.detect import Detector, light_export  # noqa: E402
from mammoviewer.detect import light_runtime as lr  # noqa: E402
from mammoviewer.errors import DetectorError  # noqa: E402

pytestmark = pytest.mark.skipif(not lr.available(), reason="ONNX Runtime not installed")


@pytest.fixture(scope="module")
def tiny_ssd():
    """An untrained IDBLL network at a quarter of the width, and its card."""
    from mammoviewer.detect.anchors import AnchorSpec
    from mammoviewer.detect.model import build_ssd

    spec = AnchorSpec()
    card = {"name": "idbll-tiny", "version": "0", "pixel_mm": 0.4, "labels": ["benign", "malignant"],
            "anchors": spec.to_dict(), "default_threshold": 0.4, "nms_iou": 0.45, "max_detections": 100}
    return build_ssd("light", spec, num_classes=3, width=0.25), card


@pytest.fixture(scope="module")
def saved(tiny_ssd, tmp_path_factory) -> Path:
    """A model folder written by save_model over a stale twin (one export, shared by the tests)."""
    model, card = tiny_ssd
    folder = tmp_path_factory.mktemp("saved")
    (folder / "model.onnx").write_bytes(b"left from an earlier save")
    assert light_export.save_model(model, folder / "model.keras") == folder / "model.keras"
    (folder / "model.json").write_text(json.dumps(card))
    return folder


@pytest.mark.slow  # exports with tf2onnx (a few seconds)
def test_save_model_writes_both_files_from_one_save(tiny_ssd, saved):
    model, _ = tiny_ssd
    twin = lr.load(saved / "model.onnx")
    assert twin.source == lr.file_digest(saved / "model.keras")
    x = light_export.check_input(model)
    np.testing.assert_allclose(twin(x), np.asarray(model(x, training=False)), atol=light_export.TOLERANCE)
    detector = Detector.load(saved, device="cpu")  # and the detector runs the twin
    assert detector.runtime == "ONNX Runtime" and detector.name == "idbll-tiny"


def test_without_the_exporter_the_keras_file_is_still_saved_with_a_note(tiny_ssd, tmp_path, monkeypatch, capsys):
    def broken(model, path, metadata=None):
        raise DetectorError(f"{path}: cannot write the ONNX model (ModuleNotFoundError: no tf2onnx)")

    monkeypatch.setattr(keras_runtime, "export_onnx", broken)
    (tmp_path / "model.onnx").write_bytes(b"stale")
    light_export.save_model(tiny_ssd[0], tmp_path / "model.keras")
    assert (tmp_path / "model.keras").is_file() and not (tmp_path / "model.onnx").exists()
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "no tf2onnx" in said[0] and "loads through TensorFlow" in said[0]


def test_a_twin_that_differs_from_keras_is_not_kept(tiny_ssd, saved, tmp_path, monkeypatch):
    model, _ = tiny_ssd
    shutil.copy(saved / "model.keras", tmp_path / "model.keras")
    monkeypatch.setattr(keras_runtime, "export_onnx", lambda m, path, metadata=None: shutil.copy(saved / "model.onnx", path))
    real_load = lr.load

    class Off:
        def __init__(self, inner):
            self.inner = inner

        def __call__(self, x):
            return self.inner(x) + 1e-3

    monkeypatch.setattr(lr, "load", lambda *a, **k: Off(real_load(*a, **k)))
    with pytest.raises(DetectorError, match="differs from model.keras by 0.001"):
        light_export.write_twin(model, tmp_path / "model.keras")
    assert not (tmp_path / "model.onnx").exists()


@pytest.mark.slow  # exports with tf2onnx
def test_the_converter_writes_twins_of_saved_models(saved, tmp_path, capsys):
    (tmp_path / "a").mkdir()
    shutil.copy(saved / "model.keras", tmp_path / "a" / "model.keras")
    assert light_export.main([str(tmp_path / "a"), str(tmp_path / "missing")]) == 2
    out, err = capsys.readouterr()
    assert out.strip() == f"wrote {tmp_path / 'a' / 'model.onnx'}"
    assert err.strip() == f"mammoviewer: error: {tmp_path / 'missing'}: no .keras model file here"
    assert lr.load(tmp_path / "a" / "model.onnx").source == lr.file_digest(tmp_path / "a" / "model.keras")


@pytest.mark.parametrize("folder", ["idbll-light", "case-classifier"])
def test_the_bundled_models_carry_their_twins(folder):
    keras_file = Path(__file__).resolve().parents[2] / "models" / folder / "model.keras"
    if not keras_file.is_file():
        pytest.skip(f"{folder} not bundled here")
    assert lr.load(lr.twin_path(keras_file)).source == lr.file_digest(keras_file)

"""The light runtime: the bundled model's ONNX twin on ONNX Runtime gives TensorFlow's findings, loads
without TensorFlow, and a model without a usable twin falls back to TensorFlow with a one-line note."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mammoviewer.detect import Detector, default_model_path
from mammoviewer.detect import light_runtime as lr
from mammoviewer.errors import DetectorError
from mammoviewer.io import load_image

from shared_paths import MIAS, ROOT

BUNDLED = default_model_path()
TWIN = lr.twin_path(BUNDLED)
FILMS = ["mdb001.png", "mdb023.png", "mdb028.png", "mdb134.png"]  # fatty, a mass, a dense one, a calcification
pytestmark = [
    pytest.mark.skipif(not TWIN.is_file(), reason="bundled model or its ONNX twin not present"),
    pytest.mark.skipif(not lr.available(), reason="ONNX Runtime not installed"),
]


def _keras_copy(folder: Path) -> Path:
    """The bundled model without its twin (model.keras and model.json only)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("model.keras", "model.json"):
        shutil.copy(BUNDLED.with_name(name), folder / name)
    return folder


@pytest.fixture(scope="module")
def light() -> Detector:
    return Detector.load(device="cpu")


@pytest.fixture(scope="module")
def through_tensorflow(tmp_path_factory) -> tuple[Detector, str]:
    """The same model without its twin, loaded through TensorFlow; and what was said on stderr."""
    pytest.importorskip("keras")
    folder = _keras_copy(tmp_path_factory.mktemp("no-twin"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        detector = Detector.load(folder, device="cpu")
    return detector, err.getvalue()


def test_the_bundled_model_runs_on_onnx_runtime(light):
    assert light.runtime == "ONNX Runtime" and light.device == "CPU"
    assert isinstance(light._model, lr.LightModel)
    assert light._model.source == lr.file_digest(BUNDLED)  # the twin of this very .keras file


@pytest.mark.slow  # imports TensorFlow (5 s on an idle 2-core machine)
def test_a_model_without_its_twin_loads_through_tensorflow_with_one_note(through_tensorflow):
    detector, said = through_tensorflow
    assert detector.runtime == "TensorFlow" and detector.device == "CPU"
    lines = said.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mammoviewer: note: model.onnx not found beside ")
    assert "python -m mammoviewer.detect.light_export" in lines[0]


@pytest.mark.slow  # imports TensorFlow
@pytest.mark.skipif(not (MIAS / "mdb023.png").is_file(), reason="shared MIAS films not present")
def test_both_runtimes_give_the_same_findings_on_shared_films(light, through_tensorflow):
    keras_detector, _ = through_tensorflow
    compared = 0
    for name in FILMS:
        image = load_image(MIAS / name)
        a, b = light.detect(image, threshold=0.0), keras_detector.detect(image, threshold=0.0)
        assert len(a) == len(b) > 0, name
        assert [d.label for d in a] == [d.label for d in b], name
        np.testing.assert_allclose([d.box for d in a], [d.box for d in b], atol=0.5, rtol=0, err_msg=name)
        np.testing.assert_allclose([d.score for d in a], [d.score for d in b], atol=1e-4, rtol=0, err_msg=name)
        compared += len(a)
    assert compared >= 4 * 20  # every candidate, not only the few above the operating point


def test_detection_for_inference_never_imports_tensorflow():
    code = ("import sys, json\n"
            "from mammoviewer.detect import Detector\n"
            "from mammoviewer.detect.locate import Locator\n"
            "from mammoviewer.classify import CaseClassifier\n"
            "from mammoviewer.io import load_image\n"
            "d = Detector.load(device='cpu')\n"
            f"image = load_image({str(ROOT / 'resources' / 'samples' / 'mdb023.pgm')!r})\n"
            "found = d.detect(image, threshold=0.0)\n"
            "Locator(d).locate(image, 530.0, 340.0)\n"
            "p = CaseClassifier.load().predict(image)\n"
            "print(json.dumps({'found': len(found), 'p': sum(p.values()), 'runtime': d.runtime,\n"
            "  'heavy': [m for m in ('tensorflow', 'keras', 'tf2onnx', 'onnx') if m in sys.modules]}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["heavy"] == [] and doc["runtime"] == "ONNX Runtime"
    assert doc["found"] > 0 and abs(doc["p"] - 1.0) < 1e-6
    assert out.stderr.strip() == ""  # no note, no runtime chatter on stderr


def test_a_twin_of_another_keras_file_is_not_run(tmp_path, capsys):
    folder = _keras_copy(tmp_path / "edited")
    shutil.copy(TWIN, folder / "model.onnx")
    with (folder / "model.keras").open("ab") as f:
        f.write(b"\0")  # the .keras file changed after its twin was written
    assert lr.open_twin(folder / "model.keras", "cpu") is None
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "was written from another model.keras" in said[0]
    shutil.copy(BUNDLED, folder / "model.keras")
    assert isinstance(lr.open_twin(folder / "model.keras", "cpu"), lr.LightModel)
    assert capsys.readouterr().err == ""


def test_a_broken_twin_falls_back_with_a_note_naming_it(tmp_path, capsys):
    folder = _keras_copy(tmp_path / "broken")
    (folder / "model.onnx").write_bytes(b"not an onnx file")
    assert lr.open_twin(folder / "model.keras", "cpu") is None
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and f"{folder / 'model.onnx'}: cannot load the ONNX model" in said[0]
    with pytest.raises(DetectorError, match="cannot load the ONNX model"):
        lr.load(folder / "model.onnx")


def test_the_runtime_choice_can_be_forced_to_tensorflow(monkeypatch, capsys):
    monkeypatch.setenv(lr.RUNTIME_ENV, "tensorflow")
    assert lr.open_twin(BUNDLED, "cpu") is None
    assert capsys.readouterr().err == ""  # asked for: no note


@pytest.mark.skipif(lr.GPU_PROVIDER in __import__("onnxruntime").get_available_providers(),
                    reason="a GPU provider is installed here")
def test_gpu_without_a_gpu_provider_runs_on_the_cpu_and_says_so():
    model = lr.load(TWIN, "gpu")
    assert model.device_name == lr.NO_GPU and model.device_name.startswith("CPU (no GPU provider")
    assert lr.load(TWIN, "auto").device_name == "CPU"
    x = np.zeros((1, 64, 64, 1), np.float32)
    assert model(x).shape == (1, lr.load(TWIN, "cpu")(x).shape[1], 7)


def test_the_twin_takes_any_input_size_and_matches_its_declared_shapes():
    model = lr.load(TWIN, "cpu", threads=1)
    assert model.input_shape == (None, None, None, 1) and model.output_shape[-1] == 7
    small, tall = model(np.zeros((1, 64, 64, 1))), model(np.zeros((2, 192, 128, 1)))
    assert tall.shape[0] == 2 and tall.shape[1] == 6 * small.shape[1]  # anchors scale with the area


def test_without_tensorflow_installed_detect_works_and_a_model_without_twin_is_one_clear_error(tmp_path):
    """As after ``pip install mammoviewer`` without the train extra: TensorFlow and Keras cannot be imported."""
    folder = _keras_copy(tmp_path / "no-twin")
    code = ("import sys, importlib.abc\n"
            "class Absent(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('tensorflow', 'keras', 'tf2onnx'):\n"
            "            raise ImportError(f'No module named {name!r}')\n"
            "sys.meta_path.insert(0, Absent())\n"
            "from mammoviewer.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    film = str(ROOT / "resources" / "samples" / "mdb023.pgm")
    ok = subprocess.run([sys.executable, "-c", code, "detect", film, "--json"], capture_output=True, text=True,
                        timeout=120, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert json.loads(ok.stdout)["images"][0]["findings"] and ok.stderr == ""
    bad = subprocess.run([sys.executable, "-c", code, "detect", film, "--model", str(folder), "--json"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    lines = bad.stderr.strip().splitlines()
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and len(lines) == 2, bad.stderr[-2000:]
    assert lines[0].startswith("mammoviewer: note: model.onnx not found beside ")
    assert lines[1].startswith("mammoviewer: error: Keras/TensorFlow are not installed")
    assert "pip install 'mammoviewer[train]'" in lines[1]

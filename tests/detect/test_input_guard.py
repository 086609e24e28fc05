"""Films and model cards that would make TensorFlow or OpenCV abort are refused before any allocation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mammoviewer.detect import input_guard
from mammoviewer.detect.preprocess import prepare
from mammoviewer.errors import DetectorError
from mammoviewer.io.image import Image

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "models" / "idbll-light"


def _image(rows: int, cols: int, spacing=None) -> Image:
    return Image(path="film.pgm", format="pgm", pixels=np.zeros((rows, cols), np.uint8), bits_stored=8,
                 pixel_spacing_mm=spacing)


def test_one_row_pgm_without_spacing_is_refused_in_a_process_that_survives(tmp_path):
    """Unguarded, the guessed spacing (204.8 mm a pixel) asked for a 512 x 331,776 input and aborted."""
    pgm = tmp_path / "row.pgm"
    pgm.write_bytes(b"P5\n65536 1\n255\n" + bytes(65536))
    code = ("import sys\nfrom mammoviewer.io import load_image\nfrom mammoviewer.detect.preprocess import prepare\n"
            "from mammoviewer.errors import DetectorError\n"
            "try:\n    prepare(load_image(sys.argv[1]), 0.4, 64)\nexcept DetectorError as exc:\n    print(exc)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, str(pgm)], capture_output=True, text=True, timeout=120,
                          env=env)
    assert proc.returncode == 0, proc.stderr[-400:]
    assert proc.stdout.strip() == f"{pgm}: 65536x1 pixels: too small to be a film (each side needs at least 16 pixels)"


@pytest.mark.parametrize("rows, cols, spacing, problem", [
    (1, 2048, None, "too small to be a film"),
    (4000, 20, None, "sides 200 to 1, not a film"),
    (1024, 1024, (1e6, 1e6), "pixel spacing 1e\\+06 mm of the file is outside"),
    (1024, 1024, (float("inf"), 0.1), "pixel spacing inf mm of the file is outside"),
    (8000, 8000, (5.0, 5.0), "would be 100000x100000 model pixels"),
])
def test_unusable_films_raise_detector_error(rows, cols, spacing, problem):
    with pytest.raises(DetectorError, match=rf"^film\.pgm: {cols}x{rows} pixels.*{problem}"):
        prepare(_image(rows, cols, spacing), 0.4, 64)


def test_classifier_preparation_is_guarded_too():
    from mammoviewer.classify.preprocess import prepare as prepare_classifier

    with pytest.raises(DetectorError, match="too small to be a film"):
        prepare_classifier(_image(1, 65536))


def test_a_film_still_prepares():
    mi = prepare(_image(1024, 1024, (0.2, 0.2)), 0.4, 64)
    assert mi.array.shape == (512, 512)


def _model_copy(tmp_path: Path, **card_changes) -> Path:
    folder = tmp_path / "m"
    folder.mkdir()
    shutil.copy(BUNDLED / "model.keras", folder / "model.keras")
    card = json.loads((BUNDLED / "model.json").read_text())
    card.update(card_changes)
    (folder / "model.json").write_text(json.dumps(card))
    return folder


@pytest.mark.parametrize("change, problem", [
    ({"pixel_mm": "abc"}, "'pixel_mm' is 'abc'; it must be a number"),
    ({"pixel_mm": -1}, "'pixel_mm' is -1; it must be a number"),
    ({"default_threshold": [1]}, "'default_threshold' is \\[1\\]"),
    ({"max_detections": "many"}, "'max_detections' is 'many'"),
    ({"labels": "benign"}, "'labels' is 'benign'; it must be a list"),
    ({"anchors": {"strides": "8"}}, "'anchors.strides' is '8'"),
])
def test_model_card_with_wrong_types_names_the_field(tmp_path, change, problem):
    from mammoviewer.detect import Detector

    folder = _model_copy(tmp_path, **change)
    with pytest.raises(DetectorError, match=rf"model\.json: model card field {problem}"):
        Detector.load(folder, device="cpu")


@pytest.mark.parametrize("change, problem", [
    ({"tta": ["hflip"] * 100_000}, "'tta' lists 100000 entries"),
    ({"tta": ["hflip", "hflip"]}, "'tta' is \\['hflip', 'hflip'\\]; each entry may appear once"),
    ({"scales": [1.0 + i / 1000 for i in range(500)]}, "'scales' lists 500 entries"),
    ({"scales": [1, 1]}, "'scales' is \\[1, 1\\]; each entry may appear once"),
    ({"anchors": {"strides": [8] * 5000}}, "'anchors.strides' lists 5000 entries"),
])  # fmt: skip
def test_model_card_lists_are_capped_where_the_card_is_read(tmp_path, change, problem):
    """Each flip or scale is a pass over every film: a card may not ask for thousands (100,000 flips
    asked for 97.7 GiB; 500 scales took 25 s a film), and the message stays one short line."""
    from mammoviewer.detect import Detector

    folder = _model_copy(tmp_path, **change)
    with pytest.raises(DetectorError, match=rf"model\.json: model card field {problem}") as info:
        Detector.load(folder, device="cpu")
    assert len(str(info.value)) < 300 and "\n" not in str(info.value)


def test_truncated_model_file_says_broken_not_missing(tmp_path):
    from mammoviewer.detect import Detector

    folder = _model_copy(tmp_path)
    data = (folder / "model.keras").read_bytes()
    (folder / "model.keras").write_bytes(data[: len(data) // 3])
    broken = r"model\.keras: cannot load the model: the file is broken or truncated"
    with pytest.raises(DetectorError, match=broken) as info:
        Detector.load(folder, device="cpu")
    assert "not found" not in str(info.value)


def test_guard_limits_hold_a_real_mammogram():
    """A 4096 x 5600 digital mammogram at 0.07 mm fits the limits at the bundled model's 0.4 mm."""
    assert input_guard.check_film(_image(5600, 4096, (0.07, 0.07)), (0.07, 0.07), False, 0.4) == (980, 717)


def test_truncated_case_classifier_says_broken(tmp_path):
    from mammoviewer.classify.classifier import CaseClassifier

    bundled = ROOT / "models" / "case-classifier"
    folder = tmp_path / "c"
    shutil.copytree(bundled, folder)
    data = (folder / "model.keras").read_bytes()
    (folder / "model.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(DetectorError, match=r"model\.keras: cannot load the case classifier: the file is broken "
                                            r"or truncated"):
        CaseClassifier.load(folder)

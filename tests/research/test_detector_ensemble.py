"""Averaging trained SSDs into one saved model: outputs, input planes, cards and refusals."""

import json

import numpy as np
import pytest

from mammoviewer.research import detector_ensemble as en
from mammoviewer.detect.anchors import AnchorSpec
from mammoviewer.errors import DetectorError


def test_union_and_selection_of_planes():
    assert en.union_inputs([("film",), ("film", "tophat")]) == ("film", "tophat")
    k = en.selection(("film", "tophat"), ("film",))
    assert k.shape == (1, 1, 2, 1) and k[0, 0, :, 0].tolist() == [1.0, 0.0]
    with pytest.raises(DetectorError, match="film first"):
        en.union_inputs([("tophat",)])


def _member(tmp_path, name: str, inputs: tuple[str, ...], seed: int, pixel_mm: float = 1.6):
    import keras

    from mammoviewer.detect.model import build_ssd

    keras.utils.set_random_seed(seed)
    model = build_ssd("light", AnchorSpec(), width=0.25, channels=len(inputs))
    folder = tmp_path / name
    folder.mkdir()
    model.save(folder / "model.keras")
    card = {"name": name, "version": "1.0", "pixel_mm": pixel_mm, "anchors": AnchorSpec().to_dict(),
            "labels": ["benign", "malignant"], "inputs": list(inputs),
            "training": {"fold_held_out": 2, "train_patients": [seed, 10 + seed]}}
    (folder / "model.json").write_text(json.dumps(card))
    return folder, model


@pytest.mark.slow
def test_ensemble_averages_its_members_on_their_own_planes_and_loads_safely(tmp_path):
    import keras

    from mammoviewer.detect import Detector

    a_dir, a = _member(tmp_path, "a", ("film",), 1)
    b_dir, b = _member(tmp_path, "b", ("film", "tophat"), 2)
    path = en.write_ensemble([a_dir, b_dir], tmp_path / "ens", name="ens", version="2.0")
    loaded = keras.models.load_model(path, compile=False, safe_mode=True)
    x = np.random.default_rng(0).uniform(0, 1, (1, 128, 128, 2)).astype("float32")
    expected = (np.asarray(a(x[..., :1])) + np.asarray(b(x))) / 2
    np.testing.assert_allclose(np.asarray(loaded(x)), expected, atol=1e-5)
    card = json.loads((tmp_path / "ens" / "model.json").read_text())
    assert card["inputs"] == ["film", "tophat"] and card["version"] == "2.0"
    assert [m["inputs"] for m in card["ensemble"]] == [["film"], ["film", "tophat"]]
    assert card["training"]["fold_held_out"] == 2
    assert card["training"]["train_patients"] == [1, 2, 11, 12]  # every member's, for the leak checks
    det = Detector.load(tmp_path / "ens", device="cpu")
    assert det.inputs == ("film", "tophat") and det.name == "ens"


@pytest.mark.slow
def test_members_of_different_pixel_sizes_are_refused(tmp_path):
    a_dir, _ = _member(tmp_path, "a", ("film",), 1, pixel_mm=1.6)
    b_dir, _ = _member(tmp_path, "b", ("film",), 2, pixel_mm=0.4)
    with pytest.raises(DetectorError, match="pixel_mm"):
        en.write_ensemble([a_dir, b_dir], tmp_path / "ens")
    assert en.main(["--member", str(a_dir), "--member", str(b_dir), "--out", str(tmp_path / "e2")]) == 2


def test_a_missing_or_broken_member_is_one_line_error(tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.keras").write_bytes(b"not a zip")
    (broken / "model.json").write_text("{}")
    assert en.main(["--member", str(broken), "--member", str(tmp_path / "absent"), "--out", str(tmp_path / "e")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken/model.keras: cannot load the ensemble member" in err[0]

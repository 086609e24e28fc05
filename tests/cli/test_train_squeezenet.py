"""``mammoviewer train --backbone squeezenet``: pretrained weights in, a self-contained model out."""

import json
from pathlib import Path

import pytest

from mammoviewer.cli import main

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = next((p for p in (ROOT / ".." / "shared" / "weights", ROOT / ".." / ".." / "shared" / "weights")
                if p.is_dir()), ROOT) / "squeezenet_v1.1_imagenet_notop_tf.h5"


def test_a_missing_weights_file_is_one_line(tmp_path, capsys, tiny_mias):
    data = tiny_mias(tmp_path / "mias")
    rc = main(["train", "--images", str(data), "--out", str(tmp_path / "m"), "--backbone", "squeezenet",
               "--backbone-weights", str(tmp_path / "nope.h5")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "nope.h5: backbone weights file not found" in err[0]
    rc = main(["train", "--images", str(data), "--out", str(tmp_path / "m"), "--backbone", "squeezenet",
               "--inputs", "film,tophat"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "squeezenet backbone takes the film alone" in err[0]


@pytest.mark.slow
@pytest.mark.skipif(not WEIGHTS.is_file(), reason="shared SqueezeNet weights not present")
def test_squeezenet_training_writes_a_model_that_detects_without_the_weights_file(tmp_path, capsys, tiny_mias):
    from mammoviewer.detect import Detector
    from mammoviewer.io import load_image

    data = tiny_mias(tmp_path / "mias")
    out = tmp_path / "model"
    rc = main(["train", "--images", str(data), "--out", str(out), "--epochs", "1", "--steps", "1",
               "--batch-size", "2", "--pixel-mm", "0.8", "--crop", "64", "--fold", "1", "--backbone", "squeezenet",
               "--backbone-weights", str(WEIGHTS), "--freeze", "fire5",
               "--cache-dir", str(tmp_path / "cache"), "--checkpoint-dir", str(tmp_path / "ckpt"), "--quiet"])
    assert rc == 0
    card = json.loads((out / "model.json").read_text())
    assert card["backbone"] == "squeezenet" and card["breast_mask"] is True
    assert card["training"]["config"]["freeze"] == "fire5" and card["pretrained"]["frozen_up_to"] == "fire5"
    assert "BSD" in card["pretrained"]["weights"] and "MIT" in card["pretrained"]["port"]
    assert "ImageNet" in card["weights_origin"] and "mini-MIAS" in card["weights_origin"]
    det = Detector.load(out, device="cpu")  # safe_mode load; the HDF5 file is not read again
    found = det.detect(load_image(data / "mdb001.png"), threshold=0.0)
    assert det.breast_mask and det.last_mask is not None and det.last_mask.any()
    assert all(0.0 <= d.score <= 1.0 for d in found)

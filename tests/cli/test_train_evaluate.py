"""``mammoviewer train`` then ``mammoviewer evaluate`` on a tiny synthetic MIAS-like folder."""

import json

import cv2
import pytest

from mammoviewer.cli import main


@pytest.mark.slow
def test_train_then_evaluate_with_plots(tmp_path, capsys, tiny_mias):
    data = tiny_mias(tmp_path / "mias")
    out = tmp_path / "model"
    rc = main(["train", "--images", str(data), "--out", str(out), "--epochs", "1", "--steps", "2",
               "--batch-size", "2", "--pixel-mm", "1.6", "--crop", "64", "--fold", "1", "--width", "0.5",
               "--paste", "0.5", "--cache-dir", str(tmp_path / "cache"), "--checkpoint-dir", str(tmp_path / "ckpt"), "--quiet"])
    assert rc == 0
    card = json.loads((out / "model.json").read_text())
    assert card["training"]["command"].startswith("mammoviewer train")
    assert card["training"]["config"]["crop"]["paste_fraction"] == 0.5
    assert (out / "model.keras").is_file() and (out / "split.json").is_file()
    capsys.readouterr()

    ids = tmp_path / "ids.txt"
    ids.write_text("# validation films\nmdb001\nmdb002\nmdb004\n")  # two lesions, one normal
    rc = main(["evaluate", "--images", str(data), "--model", str(out), "--ids", str(ids), "--json",
               "--plots", str(tmp_path / "plots")])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["images"] == 3 and doc["lesions"] == 2
    assert set(doc["froc"]) == {"0.25", "0.5", "1", "2", "4"}
    assert set(doc["ap"]) == {"benign", "malignant"} and "map_voc" in doc and "map_20pt" in doc
    assert doc["froc_by_class"]["CIRC"]["lesions"] == 2
    assert sum(g["lesions"] for g in doc["froc_by_size"].values()) == 2  # each lesion in one size group
    assert main(["evaluate", "--images", str(data), "--model", str(out), "--ids", str(ids), "--json",
                 "--tta", "hflip,spin"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["mammoviewer: error: --tta: unknown flip 'spin' (choose from hflip, vflip, rot180 or none)"]
    for p in doc["plots"]:
        img = cv2.imread(p)
        assert img is not None and img.shape == (480, 640, 3) and (img < 250).any()


def test_train_refuses_bad_arguments(tmp_path, capsys):
    rc = main(["train", "--images", str(tmp_path / "missing"), "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "missing: MIAS image folder not found" in err[0]


@pytest.mark.parametrize("inputs", ["tophat", "film,edges", "film,tophat,tophat"])
def test_train_refuses_unknown_input_planes(tmp_path, capsys, tiny_mias, inputs):
    data = tmp_path / "mias"
    tiny_mias(data)
    rc = main(["train", "--images", str(data), "--out", str(tmp_path / "m"), "--inputs", inputs])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "--inputs" in err[0] and "film first" in err[0]


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



@pytest.mark.slow
def test_train_and_evaluate_on_two_sources_report_each_source_apart(tmp_path, capsys, tiny_mias):
    import numpy as np

    mias = tiny_mias(tmp_path / "mias")
    own = tmp_path / "own"
    own.mkdir()
    rows = ["file,patient,view,x0,y0,x1,y1"]
    for k in range(6):
        img = np.full((128, 128), 60, np.uint8)
        img[:, :100] = 140  # tissue
        cv2.circle(img, (40 + 5 * k, 60), 8, 230, -1)
        cv2.imwrite(str(own / f"f{k}.png"), img)
        rows.append(f"f{k}.png,W{k // 2},{'CC' if k % 2 else 'MLO'},{30 + 5 * k},50,{50 + 5 * k},70")
    (own / "boxes.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "model"
    rc = main(["train", "--data", str(mias), "--data", str(own), "--source-weight", "own=2", "--out", str(out),
               "--epochs", "1", "--steps", "2", "--batch-size", "2", "--pixel-mm", "1.6", "--crop", "64",
               "--fold", "0", "--folds", "2", "--width", "0.5", "--cache-dir", str(tmp_path / "cache"),
               "--checkpoint-dir", str(tmp_path / "ckpt"), "--quiet"])
    assert rc == 0
    card = json.loads((out / "model.json").read_text())
    split = json.loads((out / "split.json").read_text())
    held_out = set(split["folds"][0]["films"])
    by_source = card["training"]["train_patients_by_source"]
    assert set(by_source) == {"mias", "own"} and card["training"]["config"]["source_weights"] == {"own": 2.0}
    assert "own" in card["datasets"] and "mini-MIAS" in card["datasets"]["mias"]
    own_held = {r for r in held_out if r.startswith("f")}
    assert own_held and not {f"W{int(r[1]) // 2}" for r in own_held} & set(by_source["own"])
    capsys.readouterr()

    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(sorted(held_out)) + "\n")
    rc = main(["evaluate", "--data", str(mias), "--data", str(own), "--ids", str(ids), "--model", str(out),
               "--no-classifier", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["films_of_training_patients"] == 0
    assert list(doc["domains"]) == ["mias", "own"] and "froc" not in doc  # never pooled into one headline
    assert doc["domains"]["own"]["images"] == len(own_held)
    assert set(doc["domains"]["own"]["froc_by_view"]) <= {"CC", "MLO"} and "froc_by_size" not in doc["domains"]["own"]
    assert "froc_by_class" in doc["domains"]["mias"] and "ap_voc" in doc["domains"]["mias"]["lesion_ap"]
    # the training films are counted as such
    rc = main(["evaluate", "--data", str(own), "--model", str(out), "--no-classifier", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["films_of_training_patients"] == 6 - len(own_held) and doc["images"] == 6

    # fine-tuned on MIAS alone from these weights: the card keeps both trainings' patients
    tuned = tmp_path / "tuned"
    rc = main(["train", "--data", str(mias), "--init", str(out), "--out", str(tuned), "--split",
               str(out / "split.json"), "--epochs", "1", "--steps", "1", "--batch-size", "2", "--pixel-mm", "1.6",
               "--crop", "64", "--fold", "0", "--width", "0.5", "--cache-dir", str(tmp_path / "cache"),
               "--checkpoint-dir", str(tmp_path / "ckpt2"), "--quiet"])
    assert rc == 0
    training = json.loads((tuned / "model.json").read_text())["training"]
    assert training["init"]["model"].endswith("model.keras")
    assert training["train_patients_by_source"]["own"] == by_source["own"]
    assert training["train_patients"] == card["training"]["train_patients"]
    rc = main(["train", "--data", str(mias), "--init", str(out), "--width", "1.0", "--out", str(tmp_path / "x"),
               "--epochs", "1", "--steps", "1", "--pixel-mm", "1.6", "--crop", "64", "--fold", "0",
               "--cache-dir", str(tmp_path / "cache"), "--checkpoint-dir", str(tmp_path / "ckpt3"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "--init needs the same network" in err[0]


def test_train_refuses_a_bad_data_source_with_one_line(tmp_path, capsys):
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "boxes.csv").write_text("file,patient,x0,y0,x1,y1\nmissing.png,P,1,1,4,4\n")
    rc = main(["train", "--data", str(tmp_path / "ds"), "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "boxes.csv: row 2: image 'missing.png' not found" in err[0]
    rc = main(["train", "--data", str(tmp_path / "ds"), "--source-weight", "ds", "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "--source-weight 'ds'" in err[0]

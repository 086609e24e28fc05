"""Re-scoring the detector's candidates with a patch CNN: patches, candidate lists and the nested run."""

import json

import numpy as np
import pytest

from mammoviewer.research import candidate_rescore_cv as rc


def _lesion(folder, ref):
    from mammoviewer.detect.data import mias_films

    films = {f.ref: f for f in mias_films(folder, folder / "Info.txt")}
    return films[ref]


def test_patches_are_centred_on_the_box_and_standardised(tmp_path, tiny_mias):
    from mammoviewer.io import load_image

    folder = tiny_mias(tmp_path / "mias", size=1024)
    film = _lesion(folder, "mdb001")
    box = np.array([film.lesions[0].box])
    elsewhere = np.array([[100.0, 100.0, 120.0, 120.0]])  # the black film border
    p = rc.film_patches(load_image(film.path), np.concatenate([box, elsewhere]))
    assert p.shape == (2, rc.PATCH, rc.PATCH, 2) and p.dtype == np.float32
    c = rc.PATCH // 2
    for plane in (0, 1):
        centre = p[0, c - 2:c + 2, c - 2:c + 2, plane].mean()
        assert centre > p[0, :, :, plane].mean() + 0.5  # the bright disc sits in the middle
    assert p[1, c, c, 1] < p[0, c, c, 1] - 1.0


def test_jittered_boxes_stay_near_the_lesion():
    rng = np.random.default_rng(0)
    b = rc.jittered(np.array([[100.0, 100.0, 140.0, 140.0]]), 50, rng)
    assert b.shape == (50, 4)
    side = b[:, 2] - b[:, 0]
    assert np.all((side >= 0.85 * 40 - 1e-9) & (side <= 1.2 * 40 + 1e-9))
    centre = (b[:, :2] + b[:, 2:]) / 2
    assert np.all(np.abs(centre - 120.0) <= 0.15 * 40 + 1e-9)
    assert len(np.unique(np.round(side, 3))) > 10


def test_candidates_are_the_best_of_each_film(tmp_path):
    doc = {"0": {"predictions": [["a", [0, 0, 1, 1], "benign", 0.1], ["a", [0, 0, 2, 2], "malignant", 0.9],
                                 ["a", [0, 0, 3, 3], "benign", 0.5]]},
           "1": {"predictions": [["b", [0, 0, 1, 1], "benign", 0.2]]}}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(doc))
    got, fold_of = rc.load_candidates([path], top=2)
    assert [p[2] for p in got["a"]] == [0.9, 0.5] and len(got["b"]) == 1
    assert fold_of == {"a": 0, "b": 1}


def _figures(folder, split, tmp_path):
    """One figures file per fold: a box on each lesion and two on background, as detector_fold_figures writes."""
    from mammoviewer.detect.data import mias_films

    films = {f.ref: f for f in mias_films(folder, folder / "Info.txt")}
    paths = []
    for k, fold in enumerate(split["folds"]):
        preds = []
        for ref in fold["films"]:
            for l in films[ref].lesions:
                preds.append([ref, list(l.box), l.label, 0.3])
            preds += [[ref, [60, 10, 80, 30], "benign", 0.4], [ref, [90, 90, 110, 110], "benign", 0.2]]
        paths.append(tmp_path / f"fold{k}.json")
        paths[-1].write_text(json.dumps({str(k): {"predictions": preds}}))
    return paths


@pytest.mark.slow
def test_nested_run_reports_every_weight_and_the_detector_alone(tmp_path, tiny_mias):
    from mammoviewer.detect.data import make_split, mias_films

    folder = tiny_mias(tmp_path / "mias", size=1024)
    split = make_split(mias_films(folder, folder / "Info.txt"), folds=5)
    (tmp_path / "split.json").write_text(json.dumps(split))
    paths = _figures(folder, split, tmp_path)
    out = tmp_path / "report.json"
    rc.main(["--figures", *map(str, paths), "--split", str(tmp_path / "split.json"), "--images", str(folder),
             "--epochs", "1", "--weights", "0,1", "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["candidates"] == 6 * 2 + 4 * 2 + 6 and report["positives"] == 6
    assert len(report["per_fold"]) == 5
    # the detector alone ranks a background box first on every lesion film: below 1 FP/image it finds nothing
    for row in report["per_fold"]:
        if row["lesions"]:
            assert row["w=0"]["froc"]["0.5"] == 0.0 and row["w=0"]["froc"]["2"] == 1.0
    assert set(report) >= {"w=0", "w=1"}


def test_figures_must_cover_every_fold_of_the_split(tmp_path, tiny_mias, capsys):
    from mammoviewer.detect.data import make_split, mias_films

    folder = tiny_mias(tmp_path / "mias", size=1024)
    split = make_split(mias_films(folder, folder / "Info.txt"), folds=5)
    (tmp_path / "split.json").write_text(json.dumps(split))
    paths = _figures(folder, split, tmp_path)
    with pytest.raises(SystemExit):
        rc.main(["--figures", str(paths[0]), "--split", str(tmp_path / "split.json"), "--images", str(folder),
                 "--out", str(tmp_path / "r.json")])
    assert "give figures of every fold" in capsys.readouterr().err
    paths[0].write_text(paths[0].read_text().replace('{"0":', '{"1":'))  # fold 0's films said to be fold 1's
    with pytest.raises(SystemExit):
        rc.main(["--figures", *map(str, paths), "--split", str(tmp_path / "split.json"), "--images", str(folder),
                 "--out", str(tmp_path / "r.json")])
    assert "scored as another fold" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_linear_head_ranks_a_separable_direction():
    rng = np.random.default_rng(0)
    f = rng.normal(0, 1, (400, 40)).astype(np.float32)
    y = (f[:, 3] + 0.3 * rng.normal(0, 1, 400) > 1.0).astype(float)
    score = rc.fit_linear(f[:300], y[:300], components=40, l2=1.0)(f[300:])
    from mammoviewer.classify.metrics import auc

    assert score.shape == (100,) and auc(y[300:].astype(bool), score) > 0.9


def test_squeezenet_features_of_patches():
    from mammoviewer.detect.squeezenet import DEFAULT_WEIGHTS

    if not DEFAULT_WEIGHTS.is_file():
        pytest.skip(f"SqueezeNet weights not found at {DEFAULT_WEIGHTS}")
    x = np.random.default_rng(0).uniform(0, 1, (3, rc.PATCH, rc.PATCH, 2)).astype(np.float32)
    f = rc.squeezenet_features(rc.squeezenet_extractor(), x, batch=2)
    assert f.shape == (3, 2 * 2 * (256 + 512)) and np.isfinite(f).all() and f.std(axis=0).max() > 0
    assert rc.squeezenet_features(rc.squeezenet_extractor(), x[:0]).shape == (0, f.shape[1])

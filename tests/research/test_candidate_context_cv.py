"""Re-ranking candidates by their film's context: features, candidate lists and the nested run."""

import json

import numpy as np
import pytest

from mammoviewer.research import candidate_context_cv as cc


def test_features_of_a_film_and_its_other_breast():
    cands = {"mdb001": [((0, 0, 10, 10), "benign", 0.8), ((0, 0, 20, 40), "benign", 0.5)],
             "mdb002": [((0, 0, 10, 10), "benign", 0.5)]}
    f = cc.context_features(cands, top=30, pixel_mm=0.2)
    a = f["mdb001"]
    col = {n: i for i, n in enumerate(cc.FEATURES)}
    assert a.shape == (2, len(cc.FEATURES))
    assert a[0, col["logit"]] == pytest.approx(np.log(4.0)) and a[1, col["logit"]] == pytest.approx(0.0)
    assert a[:, col["gap"]] == pytest.approx([0.0, -np.log(4.0)])
    assert a[:, col["rank"]] == pytest.approx([0.0, np.log(2.0)])
    assert a[:, col["busy"]] == pytest.approx([1.3, 1.3])
    assert a[:, col["side_mm"]] == pytest.approx([np.log(2.0), np.log(8.0)])
    assert a[:, col["partner_gap"]] == pytest.approx([np.log(4.0), 0.0])  # the other film's best is 0.5
    assert a[:, col["partner_sum"]] == pytest.approx([0.8, 0.8])
    assert cc.context_features(cands, top=1, pixel_mm=0.2)["mdb001"].shape == (1, len(cc.FEATURES))
    with pytest.raises(ValueError, match="sorted"):
        cc.film_features(np.array([0.2, 0.8]), np.zeros((2, 4)), 0.2)


def _tiny_split(tmp_path, tiny_mias):
    """A tiny MIAS folder and its 5-fold patient split, written to ``tmp_path / "split.json"``."""
    from mammoviewer.detect.data import make_split, mias_films

    folder = tiny_mias(tmp_path / "mias", size=1024)
    split = make_split(mias_films(folder, folder / "Info.txt"), folds=5)
    (tmp_path / "split.json").write_text(json.dumps(split))
    return folder, split


def _figures(folder, split, tmp_path):
    """Normal films crowded with ten alike false positives; lesion films with their lesion and one weak one."""
    from mammoviewer.detect.data import mias_films

    films = {f.ref: f for f in mias_films(folder, folder / "Info.txt")}
    paths = []
    for k, fold in enumerate(split["folds"]):
        preds = []
        for ref in fold["films"]:
            if films[ref].lesions:
                preds += [[ref, list(l.box), l.label, 0.3] for l in films[ref].lesions]
                preds.append([ref, [100, 10, 120, 30], "benign", 0.1])
            else:
                preds += [[ref, [20 + 9 * i, 10, 28 + 9 * i, 18], "benign", 0.5] for i in range(10)]
        paths.append(tmp_path / f"fold{k}.json")
        paths[-1].write_text(json.dumps({str(k): {"predictions": preds}}))
    return paths, films


def test_nested_rule_learns_that_crowded_films_count_for_less(tmp_path, tiny_mias):
    folder, split = _tiny_split(tmp_path, tiny_mias)
    paths, films = _figures(folder, split, tmp_path)
    out = tmp_path / "report.json"
    cc.main(["--figures", *map(str, paths), "--split", str(tmp_path / "split.json"), "--images", str(folder),
             "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["positives"] == 6 and len(report["per_fold"]) == 5
    mixed = [row for row, fold in zip(report["per_fold"], split["folds"])
             if {bool(films[r].lesions) for r in fold["films"]} == {True, False}]
    assert mixed  # a fold with a lesion film beside a crowded normal film
    for row in mixed:
        assert row["score"]["froc"]["1"] == 0.0  # ten normal false positives outscore the lesion
        assert row["film"]["froc"]["1"] == 1.0
        assert row["score"]["case_auc_other_breast"] == 0.0 and row["film"]["case_auc_other_breast"] == 1.0
    assert set(report["rules"]) == set(cc.FEATURE_SETS) and all(len(v) == 5 for v in report["fold_rules"].values())
    assert report["rules"]["film"]["features"] == list(cc.FEATURE_SETS["film"])


def test_figures_must_cover_every_fold(tmp_path, tiny_mias, capsys):
    folder, split = _tiny_split(tmp_path, tiny_mias)
    paths, _ = _figures(folder, split, tmp_path)
    with pytest.raises(SystemExit):
        cc.main(["--figures", str(paths[0]), "--split", str(tmp_path / "split.json"), "--images", str(folder),
                 "--out", str(tmp_path / "r.json")])
    assert "give figures of every fold" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()

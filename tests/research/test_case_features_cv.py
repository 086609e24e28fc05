"""Case scores from several facts of the detector's findings: the features and the nested run."""

import json

import numpy as np
import pytest

from mammoviewer.research import case_features_cv as cf
from tests.research.test_candidate_context_cv import _figures, _tiny_split


def test_features_of_a_film_against_its_other_breast():
    cands = {"mdb001": [((0, 0, 1, 1), "benign", 0.8), ((0, 0, 1, 1), "benign", 0.5), ((0, 0, 1, 1), "benign", 0.1),
                        ((0, 0, 1, 1), "benign", 0.05)],
             "mdb002": [((0, 0, 1, 1), "benign", 0.5)]}
    f = dict(zip(cf.FEATURES, cf.film_features(cands, "mdb001", threshold=0.3)))
    assert f["t3"] == pytest.approx(1.4) and f["p3"] == pytest.approx(0.5) and f["d3"] == pytest.approx(0.9)
    assert f["t1"] == pytest.approx(np.log(4.0)) and f["d1"] == pytest.approx(np.log(4.0))
    assert f["busy"] == pytest.approx(1.45) and f["n_op"] == 2 and f["dn_op"] == 1
    lone = dict(zip(cf.FEATURES, cf.film_features({"mdb003": []}, "mdb003", threshold=0.3)))
    assert lone["t3"] == 0.0 and lone["n_op"] == 0 and np.isfinite(lone["d1"])


def test_nested_run_reports_every_set(tmp_path, tiny_mias, capsys):
    folder, split = _tiny_split(tmp_path, tiny_mias)
    paths, films = _figures(folder, split, tmp_path)
    out = tmp_path / "report.json"
    cf.main(["--figures", *map(str, paths), "--split", str(tmp_path / "split.json"), "--images", str(folder),
             "--threshold", "0.3", "--out", str(out)])
    report = json.loads(out.read_text())
    assert report["films"] == 10 and report["abnormal"] == 6 and set(report["sets"]) == set(cf.SETS)
    # crowded normal films outscore lesion films by their top-3 sums on every fold, so a rule fitted on
    # the other folds learns that and ranks the held-out fold's films right; one-kind folds have no AUC
    mixed = [k for k, fold in enumerate(split["folds"]) if {bool(films[r].lesions) for r in fold["films"]} == {True, False}]
    assert mixed
    for name, r in report["sets"].items():
        assert [r["per_fold"][k] for k in mixed] == [1.0] * len(mixed), name
        assert all(np.isnan(v) for k, v in enumerate(r["per_fold"]) if k not in mixed)
    with pytest.raises(SystemExit):
        cf.main(["--figures", str(paths[0]), "--split", str(tmp_path / "split.json"), "--images", str(folder),
                 "--out", str(tmp_path / "r.json")])
    assert "give figures of every fold" in capsys.readouterr().err

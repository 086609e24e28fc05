"""Fitting the second stage fold by fold: each fold's rule never sees that fold's candidates."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from mammoviewer.detect import second_stage as st
from mammoviewer.detect.data import mias_films
from mammoviewer.research import second_stage_fit as sf

from shared_paths import MIAS, ROOT
pytestmark = pytest.mark.skipif(not (MIAS / "Info.txt").is_file(), reason="shared MIAS data not present")


def _rows(split: dict, seed: int = 0) -> list[dict]:
    """Candidates like the SSD's: a box on each lesion (scored higher, with specks) and boxes elsewhere."""
    rng = np.random.default_rng(seed)
    films = {f.ref: f for f in mias_films(MIAS, MIAS / "Info.txt")}
    rows = []
    for k, fold in enumerate(split["folds"]):
        for ref in fold["films"]:
            f = films[ref]
            boxes = [l.box for l in f.lesions] + [(x, 20.0, x + 40.0, 60.0) for x in (50.0, 150.0, 250.0, 350.0, 450.0, 550.0)]
            n = len(boxes)
            lesion = np.arange(n) < len(f.lesions)
            scores = np.clip(rng.normal(0.3 + 0.03 * lesion, 0.15), 0.01, 0.99)
            feats = rng.normal(size=(n, len(st.FEATURES)))
            feats[:, 0] = np.log(scores / (1 - scores))
            feats[:, st.FEATURES.index("log_specks")] += 3.0 * lesion
            cands = st.Candidates(np.array(boxes, float), np.ones(n, int), scores, np.zeros(n, bool), feats)
            order = np.argsort(-scores)
            rows.append({"ref": ref, "fold": k, "ssd": (np.array(boxes, float)[order], np.ones(n, int), scores[order]),
                         "cands": cands})
    return rows


def test_each_fold_gets_a_rule_fitted_without_it_and_the_card_gets_the_rule_of_all(tmp_path):
    split = json.loads((ROOT / "models" / "idbll-light" / "split.json").read_text())
    rows = _rows(split)
    cv, out = tmp_path / "cv", tmp_path / "out"
    for k in range(len(split["folds"])):
        (cv / f"fold{k}").mkdir(parents=True)
        (cv / f"fold{k}" / "model.keras").write_bytes(b"weights of fold %d" % k)
        (cv / f"fold{k}" / "model.json").write_text(json.dumps({"name": f"fold{k}", "containment": 0.7}))
        out.mkdir(exist_ok=True)
        (out / f"candidates-fold{k}.pkl").write_bytes(pickle.dumps([r for r in rows if r["fold"] == k]))
    card = tmp_path / "model.json"
    card.write_text(json.dumps({"name": "bundled", "default_threshold": 0.5}))
    assert sf.main(["--cv-dir", str(cv), "--out", str(out), "--images", str(MIAS), "--l2", "1",
                    "--split", str(ROOT / "models" / "idbll-light" / "split.json"), "--card", str(card)]) == 0
    films = mias_films(MIAS, MIAS / "Info.txt")
    truths = {f.ref: np.array([l.box for l in f.lesions], float).reshape(-1, 4) for f in films}
    for k in range(len(split["folds"])):
        fold_card = json.loads((out / f"fold{k}" / "model.json").read_text())
        expected = sf.fit_rule([r for r in rows if r["fold"] != k], truths, 1.0, True).to_dict()
        assert {key: fold_card["second_stage"][key] for key in expected} == expected
        assert (out / f"fold{k}" / "model.keras").read_bytes() == b"weights of fold %d" % k
    report = json.loads((out / "report.json").read_text())
    assert len(report["per_fold"]) == 5
    # the planted evidence (specks on lesion boxes) must lift the re-scored figures over the SSD's
    assert report["pooled"]["second_stage"]["froc"]["0.25"] > report["pooled"]["ssd"]["froc"]["0.25"] + 0.2
    written = json.loads(card.read_text())
    assert written["second_stage"]["features"] == list(st.FEATURES) and written["second_stage"]["clusters"]
    assert written["default_threshold"] == round(report["pooled"]["second_stage"]["threshold_at_1fp"], 4)
    weights = dict(zip(st.FEATURES, written["second_stage"]["weights"]))
    assert weights["log_specks"] > 1.0 > abs(weights["blob_contrast"])


def test_labels_are_the_froc_hit_rule():
    row = {"ref": "r", "cands": st.Candidates(np.array([[0, 0, 10, 10], [90, 90, 110, 110.0]]), np.ones(2, int),
                                              np.ones(2), np.zeros(2, bool), np.zeros((2, len(st.FEATURES))))}
    assert list(sf.labels_of(row, {"r": np.array([[80, 80, 120, 120.0]])})) == [0.0, 1.0]
    assert list(sf.labels_of(row, {})) == [0.0, 0.0]


def test_a_rule_on_some_features_gives_the_others_no_weight(tmp_path):
    split = json.loads((ROOT / "models" / "idbll-light" / "split.json").read_text())
    rows = _rows(split, seed=1)
    films = mias_films(MIAS, MIAS / "Info.txt")
    truths = {f.ref: np.array([l.box for l in f.lesions], float).reshape(-1, 4) for f in films}
    rule = sf.fit_rule(rows, truths, 1.0, True, ("ssd_logit", "log_specks"))
    weights = dict(zip(st.FEATURES, rule.weights))
    assert weights["log_specks"] > 1.0 and all(w == 0 for f, w in weights.items() if f not in ("ssd_logit", "log_specks"))
    with pytest.raises(SystemExit) as exc:
        sf.main(["--cv-dir", str(tmp_path), "--out", str(tmp_path), "--features", "ssd_logit,nothing"])
    assert exc.value.code == 2

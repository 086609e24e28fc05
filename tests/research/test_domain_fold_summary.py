"""Per-source cross-validation figures gathered from fold-by-fold runs."""

from __future__ import annotations

import json

import pytest

from mammoviewer.detect.data import make_split, mias_films
from mammoviewer.research.domain_fold_summary import main


def _evaluation(mias_1fp: float, other_1fp: float) -> dict:
    def dom(s):
        return {"images": 2, "lesions": 1, "froc": {"1": s}, "lesion_ap": {"ap_voc": s / 2}}
    return {"domains": {"mias": dom(mias_1fp), "ddsm": dom(other_1fp)}}


def test_sources_stay_apart_and_the_mias_predictions_are_pooled(tmp_path, tiny_mias):
    data = tiny_mias(tmp_path / "mias")
    films = mias_films(data, data / "Info.txt")
    split = make_split(films, folds=2, seed=0)
    (tmp_path / "split.json").write_text(json.dumps(split))
    lesions = {f.ref: f.lesions[0].box for f in films if f.lesions}
    figures = []
    for k in range(2):
        preds, inside = [], []
        for ref in split["folds"][k]["films"]:
            if ref in lesions:  # a hit on every lesion, and one false positive per film, off the breast on one
                preds.append([ref, list(lesions[ref]), "benign", 0.9])
                inside.append(True)
            preds.append([ref, [0, 0, 5, 5], "benign", 0.5])
            inside.append(k == 0)
        auc = {"other_breast": 0.6 + 0.1 * k, "single_film": 0.5}
        figures.append({str(k): {"predictions": preds, "inside_breast": inside, "breast_mask": {"case_auc": auc}}})
    paths = []
    for k, (ev, fig) in enumerate(zip([_evaluation(0.5, 0.2), _evaluation(0.7, 0.4)], figures)):
        for name, doc in ((f"e{k}.json", ev), (f"f{k}.json", fig)):
            (tmp_path / name).write_text(json.dumps(doc))
            paths.append(str(tmp_path / name))
    card = tmp_path / "model.json"
    card.write_text(json.dumps({"name": "m", "default_threshold": 0.5}))
    rc = main(["--evaluations", paths[0], paths[2], "--figures", paths[1], paths[3], "--split",
               str(tmp_path / "split.json"), "--images", str(data), "--out", str(tmp_path / "s.json"),
               "--card", str(card)])
    doc = json.loads((tmp_path / "s.json").read_text())
    assert rc == 0 and set(doc["domains"]) == {"mias", "ddsm"}
    assert doc["domains"]["mias"]["mean_sd_over_folds"]["froc"]["1"]["mean"] == pytest.approx(0.6)
    assert doc["domains"]["ddsm"]["mean_sd_over_folds"]["froc"]["1"]["mean"] == pytest.approx(0.3)
    pooled = doc["mias_pooled"]
    assert pooled["images"] == len(films) and pooled["lesions"] == sum(len(f.lesions) for f in films)
    assert pooled["froc"]["1"] == pytest.approx(1.0)  # every lesion found before any false positive
    assert pooled["predictions"] == len(lesions) + len(split["folds"][0]["films"])  # off-breast ones dropped
    assert doc["mias_case_auc"]["other_breast"]["mean"] == pytest.approx(0.65)
    written = json.loads(card.read_text())
    assert written["default_threshold"] == round(pooled["threshold_at_1fp"], 4)
    assert set(written["metrics_by_source"]) == {"mias", "ddsm"} and "domain_fold_summary" in written["metrics_command"]

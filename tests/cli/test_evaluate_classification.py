"""``mammoviewer evaluate`` reports the case classifier's figures beside the detector's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mammoviewer.cli import main

ROOT = Path(__file__).resolve().parents[2]
MIAS = ROOT.parent / "shared" / "data" / "mias"


@pytest.mark.slow
def test_evaluate_adds_classification_figures_and_roc_plots(tmp_path, capsys):
    if not (MIAS / "Info.txt").is_file():
        pytest.skip("MIAS data not available")
    ids = tmp_path / "ids.txt"
    ids.write_text("mdb001\nmdb003\nmdb023\nmdb024\n")  # benign, normal, malignant, normal
    assert main(["evaluate", "--images", str(MIAS), "--ids", str(ids), "--json", "--plots", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["images"] == 4 and "froc" in doc
    c = doc["classification"]
    assert c["films"] == 4 and c["films_per_class"] == {"normal": 2, "benign": 1, "malignant": 1}
    matrix = c["confusion_matrix"]["rows_true_columns_predicted"]
    assert [sum(row) for row in matrix] == [2, 1, 1]
    for key in ("accuracy", "sensitivity", "specificity", "auc_normal_vs_abnormal", "auc_malignant_vs_rest"):
        assert 0.0 <= c[key] <= 1.0, key
    assert "used to train" in c["warning"]  # the bundled classifier saw these patients: said, not hidden
    assert (tmp_path / "classifier_roc_normal_vs_abnormal.png").stat().st_size > 1000
    assert (tmp_path / "froc.png").is_file()
    # the figures are those of the shipped case score: the same probabilities as `mammoviewer classify`
    detector_card = json.loads((ROOT / "models" / "idbll-light" / "model.json").read_text())
    assert c["model"]["case_score"] == f"combined with idbll-light {detector_card['version']}"
    assert c["model"]["films_by_rule"] == {"with the other breast": 4}  # every film's other breast is there
    assert main(["classify", str(MIAS / "mdb023.png"), "--json"]) == 0
    shipped_doc = json.loads(capsys.readouterr().out)
    assert shipped_doc["other_breast"] == {str(MIAS / "mdb023.png"): str(MIAS / "mdb024.png")}
    shipped = shipped_doc["images"][0]["probabilities"]
    assert c["probabilities"]["mdb023"] == pytest.approx(shipped, abs=1e-6)


def test_no_classifier_flag_leaves_the_detector_figures_alone(tmp_path, capsys):
    if not (MIAS / "Info.txt").is_file():
        pytest.skip("MIAS data not available")
    ids = tmp_path / "ids.txt"
    ids.write_text("mdb023\n")
    assert main(["evaluate", "--images", str(MIAS), "--ids", str(ids), "--json", "--no-classifier"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "classification" not in doc and doc["images"] == 1

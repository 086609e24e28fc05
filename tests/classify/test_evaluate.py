"""``evaluate_classifier`` on a few real MIAS films with the bundled model, and the ROC plot."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from mammoviewer.classify.plots import draw_roc

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "case-classifier" / "model.keras"
IDS = ["mdb001", "mdb002", "mdb003", "mdb004", "mdb023", "mdb024"]  # 2 benign, 2 normal, malignant, normal


def test_roc_plot_draws_the_curve_in_its_colour() -> None:
    img = draw_roc([("AUC 1.000", np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0]))], "t", size=200)
    assert img.shape == (200, 200, 3) and img.dtype == np.uint8
    # the curve runs up the left axis (x = 60) and along the top (y = 30) in the first colour
    assert (img[100, 59:62] == (200, 80, 20)).all(axis=1).any()
    assert (img[29:32, 100] == (200, 80, 20)).all(axis=1).any()


@pytest.mark.slow
def test_evaluate_classifier_figures_and_plots(mias_dir: Path, tmp_path: Path) -> None:
    if not MODEL.is_file():
        pytest.skip(f"bundled model {MODEL} not present")
    from mammoviewer.classify import evaluate_classifier

    res = evaluate_classifier(mias_dir, mias_dir / "Info.txt", ids=IDS, plots_dir=tmp_path)
    assert res["films"] == 6 and res["films_per_class"] == {"normal": 3, "benign": 2, "malignant": 1}
    cm = np.array(res["confusion_matrix"]["rows_true_columns_predicted"])
    assert cm.shape == (3, 3) and cm.sum() == 6 and cm.sum(axis=1).tolist() == [3, 2, 1]
    assert 0.0 <= res["auc_normal_vs_abnormal"] <= 1.0 and 0.0 <= res["auc_malignant_vs_rest"] <= 1.0
    assert sorted(res["probabilities"]) == IDS
    assert all(sum(p.values()) == pytest.approx(1.0) for p in res["probabilities"].values())
    assert "were used to train this model" in res["warning"]  # the bundled model saw every MIAS film here
    names = sorted(Path(p).name for p in res["plots"])
    assert names == ["classifier_roc_malignant_vs_rest.png", "classifier_roc_normal_vs_abnormal.png"]
    assert all(cv2.imread(p).shape == (480, 480, 3) for p in res["plots"])

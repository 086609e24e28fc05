"""Cross-validated fit of the case-score rule: each fold's rule is fitted without its films."""

from __future__ import annotations

import numpy as np

from mammoviewer.research.case_score_fit import cross_validate


def test_cross_validation_fits_each_fold_without_its_films():
    rng = np.random.default_rng(1)
    features = {}
    for i in range(100):
        label = int(rng.integers(0, 3)) if i % 3 else 0
        scores = list(rng.uniform(0.0, 0.3, 4) + (0.25 * label))  # abnormal films score higher
        features[f"mdb{i:03d}"] = (i % 5, scores, {"normal": 0.4, "benign": 0.3, "malignant": 0.3}, label, None)
    result = cross_validate(features, top_k=3)
    assert [f["fold"] for f in result["folds"]] == [0, 1, 2, 3, 4]
    assert sum(f["films"] for f in result["folds"]) == 100
    assert result["mean_sd"]["auc_normal_vs_abnormal"]["mean"] > 0.9
    # each fold's rule differs from the final one (fitted on other films), and none equals another
    rules = [tuple(f["rule"].values()) for f in result["folds"]]
    assert len(set(rules)) == 5 and tuple(result["rule"].values()) not in rules


def test_contralateral_cross_validation_sees_what_one_film_cannot():
    """Films of dense patients score high on both sides: only the comparison separates them."""
    rng = np.random.default_rng(2)
    features = {}
    for patient in range(60):
        density = rng.uniform(0.0, 1.0)
        sick = patient % 3 == 0
        for side in (0, 1):
            ref = f"mdb{2 * patient + 1 + side:03d}"
            label = 2 if sick and side == 0 else 0
            scores = list(density + rng.uniform(0.0, 0.05, 3) + (0.3 if label else 0.0))
            features[ref] = [patient % 5, scores, {"normal": 0.4, "benign": 0.3, "malignant": 0.3}, label, None]
    for patient in range(60):
        a, b = f"mdb{2 * patient + 1:03d}", f"mdb{2 * patient + 2:03d}"
        features[a][4], features[b][4] = features[b][1], features[a][1]
    features = {r: tuple(v) for r, v in features.items()}
    single = cross_validate(features, top_k=3)
    paired = cross_validate(features, top_k=3, contralateral=True)
    assert paired["films"] == single["films"] == 120
    assert paired["mean_sd"]["auc_normal_vs_abnormal"]["mean"] > 0.95
    assert single["mean_sd"]["auc_normal_vs_abnormal"]["mean"] < 0.9
    features["mdb001"] = features["mdb001"][:4] + (None,)
    assert cross_validate(features, top_k=3, contralateral=True)["films"] == 119


def test_the_card_names_the_detector_the_rule_is_for(tmp_path):
    import json
    import shutil

    from mammoviewer.detect import default_model_path
    from mammoviewer.research.case_score_fit import _detector_name

    bundled = json.loads(default_model_path().with_name("model.json").read_text())
    assert _detector_name(None) == f"{bundled['name']} {bundled['version']}"
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(default_model_path(), other / "model.keras")
    (other / "model.json").write_text(json.dumps(dict(bundled, version="9.9")))
    assert _detector_name(str(other)) == f"{bundled['name']} 9.9"

"""The case-score section of the classifier's card, from the card's ``case_score`` block."""

from mammoviewer.research.classifier_card import combined_section


def _cv(auc: float) -> dict:
    keys = ("auc_normal_vs_abnormal", "auc_malignant_vs_rest", "accuracy", "sensitivity", "specificity")
    return {"films": 270, "mean_sd": {k: {"mean": auc, "sd": 0.05} for k in keys}}


def test_the_section_gives_both_rules_their_figures_and_how_to_reproduce_them():
    card = {"case_score": {
        "slope": 2.875, "intercept": -2.995, "top_k": 3, "threshold": 0.427, "detector_tta": ["hflip"],
        "cross_validation": _cv(0.654), "fitted_with_detector": "idbll-light 1.4",
        "detector_fold_models": [".work/cv-focal/fold0", ".work/cv-focal/fold1"],
        "contralateral": {"slope": 3.202, "intercept": -0.710, "top_k": 3, "threshold": 0.431,
                          "cross_validation": _cv(0.693)}}}
    text = "\n".join(combined_section(card))
    assert "sigmoid(2.875 x s -2.995)" in text and "sigmoid(3.202 x s -0.710)" in text
    assert "| **with the other breast (shipped where it is found)** | 0.693 ± 0.050 |" in text
    assert "| **single film (shipped otherwise)** | 0.654 ± 0.050 |" in text
    assert ("Reproduce (fitted for idbll-light 1.4): python -m mammoviewer.research.case_score_fit --cv "
            ".work/classify-cv/p64w32e60/cv.json --detector .work/cv-focal/fold0 --detector .work/cv-focal/fold1 "
            "--tta hflip --out combine.json") in text
    assert combined_section({}) == []

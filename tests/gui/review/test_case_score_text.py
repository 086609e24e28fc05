"""The case score box's pure rules: which findings count, and when the decision and the findings disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from mammoviewer.gui.review.case_score_text import counted_findings, disagreement, other_breast_text, top_finding
from mammoviewer.review import Box, Finding


def finding(score: float | None, status: str = "pending", source: str = "model") -> Finding:
    return Finding(image_key="k", box=Box(0, 0, 10, 10), label="benign", score=score, source=source, status=status)


@pytest.mark.parametrize("decision, labels, flagged", [
    ("malignant", [], True), ("benign", [], True), ("normal", ["benign"], True),
    ("normal", ["benign", "malignant", "benign"], True),
    ("malignant", ["benign"], True), ("benign", ["malignant", "malignant"], True),
    ("malignant", ["malignant"], False), ("malignant", ["benign", "malignant"], False),
    ("benign", ["benign", "benign"], False), ("normal", [], False),
])
def test_disagreement_rule(decision, labels, flagged):
    text = disagreement(decision, labels)
    assert (text is not None) == flagged
    if flagged:
        assert decision in text


def test_label_disagreement_names_the_other_label():
    assert disagreement("malignant", ["benign", "benign"]) == \
        "Classifier says malignant, but all 2 findings above the threshold are labelled benign"
    assert disagreement("benign", ["malignant"], "Case score") == \
        "Case score says benign, but the finding above the threshold is labelled malignant"


def test_rejected_and_below_threshold_findings_do_not_count():
    fs = [finding(0.9, "rejected"), finding(0.2), finding(0.6, "accepted"), finding(None, source="reader")]
    assert [f.score for f in counted_findings(fs, 0.5)] == [0.6, None]  # reader boxes always count
    assert counted_findings([finding(0.9, "rejected")], 0.1) == []
    assert top_finding(fs).score == 0.6  # the rejected 0.9 is not the case score
    assert top_finding([finding(None, source="reader")]) is None


def test_other_breast_line_names_the_film_or_says_scored_alone():
    from mammoviewer.classify.case_score import OtherBreast

    assert other_breast_text(OtherBreast(Path("/x/mdb024.pgm"), [0.31, 0.2]), "") == \
        "Compared with the other breast: mdb024.pgm (its top finding score 0.31)"
    assert other_breast_text(None, "") == "Other breast: no film of it found beside this one; scored alone"
    assert other_breast_text(None, "mdb024.pgm: empty file").startswith("Other breast's film not used (mdb024.pgm")


# -- the two operating points (the detector's 0.27, the case score's 0.43) -----------------------------
def test_a_candidate_between_the_two_thresholds_is_no_contradiction():
    from mammoviewer.gui.review.case_score_text import case_warning

    between = [finding(0.35)]  # counted at the Findings threshold 0.27, not by the case threshold 0.43
    warning, note = case_warning("normal", between, 0.27, 0.43)
    assert warning is None and "differ" in note and "0.27" in note and "0.43" in note
    assert case_warning("normal", [finding(0.50)], 0.27, 0.43)[0] == \
        "Case score says normal, but 1 finding is above the threshold"  # above both: a contradiction
    assert case_warning("normal", [finding(0.30, status="accepted")], 0.27, 0.43)[0] is not None  # the reader's
    assert case_warning("normal", [finding(0.30, status="rejected")], 0.27, 0.43) == (None, "")
    assert case_warning("malignant", [], 0.27, 0.43)[0] is not None  # nothing at either threshold
    warning, note = case_warning("benign", [finding(0.30)], 0.5, 0.2)  # under the Findings threshold only
    assert warning is None and "differ" in note
    assert case_warning("benign", [finding(0.9)], 0.27, 0.43) == (None, "")


def test_no_score_prints_a_certainty_the_model_does_not_have():
    from mammoviewer.gui.review.case_score_text import probabilities_text, score_text

    assert probabilities_text({"normal": 0.6, "benign": 0.001, "malignant": 0.399}) == \
        "normal 0.60 \u00b7 benign <0.01 \u00b7 malignant 0.40"
    assert [score_text(p) for p in (0.0, 0.004, 0.005, 0.5, 0.994, 0.995, 1.0)] == \
        ["<0.01", "<0.01", "0.01", "0.50", "0.99", ">0.99", ">0.99"]

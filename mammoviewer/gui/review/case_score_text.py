"""The case score box's decision logic and wording, without widgets: which findings count, when
the case decision and the findings disagree, and the lines and tooltips shown."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from mammoviewer.classify.case_score import OtherBreast
from mammoviewer.gui.review.overlay import is_shown
from mammoviewer.review import Finding

CLASSES = ("normal", "benign", "malignant")


def counted_findings(findings: Iterable[Finding], threshold: float) -> list[Finding]:
    """Findings that count as "above threshold": shown at ``threshold`` (reader boxes always)
    and not rejected by the reader."""
    return [f for f in findings if f.status != "rejected" and is_shown(f, threshold)]


def top_finding(findings: Iterable[Finding]) -> Finding | None:
    """The not-rejected finding with the highest model score (None if no scored finding)."""
    scored = [f for f in findings if f.status != "rejected" and f.score is not None]
    return max(scored, key=lambda f: f.score) if scored else None


def disagreement(decision: str, labels_above_threshold: Sequence[str], who: str = "Classifier") -> str | None:
    """A one-line warning when the case ``decision`` (of ``who``) and the findings above the
    threshold (their labels) disagree, else None: an abnormal decision with no finding, a normal
    one with findings, or a benign/malignant decision whose every finding carries the other label."""
    labels = list(labels_above_threshold)
    n = len(labels)
    if decision in ("benign", "malignant") and n == 0:
        return f"{who} says {decision}, but no finding is above the threshold"
    if decision == "normal" and n > 0:
        return f"{who} says normal, but {n} finding{'s are' if n != 1 else ' is'} above the threshold"
    other = {"benign": "malignant", "malignant": "benign"}.get(decision)
    if other is not None and all(label == other for label in labels):
        every = "the finding" if n == 1 else f"all {n} findings"
        return f"{who} says {decision}, but {every} above the threshold {'is' if n == 1 else 'are'} labelled {other}"
    return None


def score_text(p: float) -> str:
    """A probability or score in two decimals, never a certainty the model does not have:
    ``"<0.01"`` and ``">0.99"`` instead of ``"0.00"`` and ``"1.00"``."""
    if p < 0.005:
        return "<0.01"
    if p >= 0.995:
        return ">0.99"
    return f"{p:.2f}"


def probabilities_text(probabilities: dict[str, float]) -> str:
    """E.g. ``"normal 0.21 · benign <0.01 · malignant 0.79"``."""
    return " \u00b7 ".join(f"{c} {score_text(probabilities[c])}" for c in CLASSES)


def case_warning(decision: str, findings: Sequence[Finding], detector_threshold: float, case_threshold: float,
                 who: str = "Case score") -> tuple[str | None, str]:
    """``(warning, note)`` on the case ``decision`` against the findings: the warning (drawn orange)
    only for a disagreement that holds at both operating points, the detector's (the Findings
    threshold) and the case score's; a disagreement that only the two thresholds make is a plain
    note. The reader's decisions count at any score; a pending candidate counts for certain only at or
    above the higher threshold, and possibly at or above the lower one."""
    lo, hi = sorted((float(detector_threshold), float(case_threshold)))
    kept = [f for f in findings if f.status != "rejected"]
    def score(f: Finding) -> float:
        return f.score if f.score is not None else 1.0
    decided = [f for f in kept if not (f.source == "model" and f.status == "pending")]
    certain = decided + [f for f in kept if f not in decided and score(f) >= hi]
    possible = decided + [f for f in kept if f not in decided and score(f) >= lo]
    now = disagreement(decision, [f.label for f in counted_findings(findings, detector_threshold)], who)
    if disagreement(decision, [f.label for f in certain], who) and disagreement(
            decision, [f.label for f in possible], who):
        return now or disagreement(decision, [f.label for f in certain], who), ""
    if now is None:
        return None, ""
    return None, (f"The Findings threshold ({detector_threshold:.2f}, the detector's operating point) and the "
                  f"case threshold ({case_threshold:.2f}) differ: candidates between them count for one "
                  "and not the other. Not a contradiction.")


def model_scores(findings: Iterable[Finding]) -> list[float]:
    """The detector's own scores of its findings on the film (whatever the reader did since)."""
    return [f.original_score if f.original_score is not None else f.score
            for f in findings if f.source == "model" and (f.original_score is not None or f.score is not None)]


def combined_tooltip(card: dict) -> str:
    """How the combined case score is made, with its cross-validated figures from the card."""
    block = card.get("case_score") or {}
    text = (f"Case probabilities: p(abnormal) from the sum of the detector's {block.get('top_k', 3)} highest finding "
            f"scores (the model's scores, before any correction), split into benign and malignant by the case "
            f"classifier's ratio.")
    try:
        cv = block["cross_validation"]["mean_sd"]
        a, m = cv["auc_normal_vs_abnormal"], cv["auc_malignant_vs_rest"]
        text += (f" On unseen patients (5-fold patient-level cross-validation) AUC normal vs abnormal "
                 f"{a['mean']:.2f} \u00b1 {a['sd']:.2f}, malignant vs rest {m['mean']:.2f} \u00b1 {m['sd']:.2f}"
                 f" (models/case-classifier/CARD.md).")
    except (KeyError, TypeError):
        pass
    try:
        cv = block["contralateral"]["cross_validation"]["mean_sd"]
        text += (f" When the other breast's film is found beside this one, the sum is taken minus the other film's "
                 f"(its own fit; AUC normal vs abnormal {cv['auc_normal_vs_abnormal']['mean']:.2f} \u00b1 "
                 f"{cv['auc_normal_vs_abnormal']['sd']:.2f} on the same folds).")
    except (KeyError, TypeError):
        pass
    return text + " Scores, not diagnoses."


def other_breast_text(other: OtherBreast | None, note: str) -> str:
    """The line saying whether the case score compared the film with the other breast."""
    if other is not None:
        top = max(other.scores, default=0.0)
        return f"Compared with the other breast: {Path(other.path).name} (its top finding score {top:.2f})"
    if note:
        return f"Other breast's film not used ({note}); this film scored alone"
    return "Other breast: no film of it found beside this one; scored alone"


def comparison_tooltip(card: dict) -> str:
    """What the card says of the detector's top score against the classifier as a case score."""
    try:
        s = card["detector_comparison"]["summary"]
        det = s["detector_top_score"]["auc_normal_vs_abnormal"]
        cls = s["classifier"]["auc_normal_vs_abnormal"]
    except (KeyError, TypeError):
        return "The model card has no comparison of the detector's top score with the classifier."
    return (f"On patient-level validation folds ({len(s.get('folds', []))} folds, {s.get('films', '?')} films), "
            f"the detector's top finding score ranked films better than the case classifier "
            f"(AUC normal vs abnormal {det['mean']:.2f} \u00b1 {det['sd']:.2f} against "
            f"{cls['mean']:.2f} \u00b1 {cls['sd']:.2f}; models/case-classifier/CARD.md). "
            f"Both are scores, not diagnoses.")

"""What counts as the reader's truth, in one place (exports and retraining use it).

Truth: reader-drawn and imported findings, and model findings the reader accepted (with their
edits). Pending: model findings nobody has decided on yet, and boxes the model proposed at a
reader's click (click-to-locate) until the reader keeps them: candidates, never truth. Rejected:
kept as hard negatives.
"""

from __future__ import annotations

from dataclasses import dataclass

from mammoviewer.review.records import Finding


#: attribute of a finding the model proposed at a reader's click (its value: the click)
LOCATED_FROM = "located_from"


def is_proposal(f: Finding) -> bool:
    """True for a click-to-locate proposal the reader has not kept yet."""
    return f.source == "reader" and f.status == "pending" and LOCATED_FROM in f.attributes


def is_truth(f: Finding) -> bool:
    """True for a finding the reader stands behind: accepted, or drawn/imported and not rejected."""
    if f.status == "rejected" or is_proposal(f):
        return False
    return f.status == "accepted" or f.source in ("reader", "import")


def is_pending(f: Finding) -> bool:
    """True for an undecided model candidate."""
    return not is_truth(f) and f.status != "rejected"


@dataclass(frozen=True, slots=True)
class TruthSplit:
    """An image's findings sorted by the reader's decisions."""

    truth: list[Finding]
    pending: list[Finding]
    rejected: list[Finding]


def split(findings: list[Finding]) -> TruthSplit:
    """Sort ``findings`` (order kept) into truth, pending candidates and rejected ones."""
    return TruthSplit(
        [f for f in findings if is_truth(f)],
        [f for f in findings if is_pending(f)],
        [f for f in findings if f.status == "rejected"],
    )

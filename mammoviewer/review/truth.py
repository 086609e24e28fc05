"""What counts as the reader's truth, in one place (exports, retraining and the window use it).

Findings. Truth: reader-drawn and imported findings, and model findings the reader accepted (with
their edits). A reader's move or resize of a model box (or of a box proposed at a click) is a
correction: the box becomes the reader's accepted finding (:func:`reader_edit`), as CVAT does with an
edited automatic annotation. Pending: model findings nobody has decided on yet, and boxes the model
proposed at a reader's click (click-to-locate) until the reader keeps them: candidates, never truth.
Rejected: hard negatives, never lesions.

Films (:func:`film_truth`). A film is truth only when the reader marked it **reviewed**; "normal" is
said only of a reviewed film with no finding (:attr:`FilmTruth.normal`). A film not yet reviewed gives
only the findings the reader decided, and only where asked for (``include_in_progress``), marked
"in progress", never normal. A film that is not a mammogram (:func:`not_mammography_reason`) is no
mammography truth at all. Which film an image is, is decided by :mod:`mammoviewer.review.identity`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mammoviewer.review.records import Finding, ImageRecord

#: attribute of a finding the model proposed at a reader's click (its value: the click)
LOCATED_FROM = "located_from"
#: the film statuses an export writes: truth complete, or only the reader's decisions so far
REVIEWED, IN_PROGRESS = "reviewed", "in progress"
#: image metadata keys of findings known without a location (MIAS ``*NOTE 3*`` rows): not normal
UNLOCATED_KEYS = ("mias_unlocated_rows",)


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


def reader_edit(f: Finding, **changes: Any) -> Finding:
    """``f`` after the reader moved or resized it: ``edited``, and a candidate (pending model finding or
    click proposal) becomes the reader's accepted finding. A rejected finding stays rejected."""
    out = f.replace(edited=True, **changes)
    return out.replace(status="accepted") if is_pending(f) else out


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


def pending_at_or_above(findings: list[Finding], threshold: float) -> list[Finding]:
    """The undecided candidates scoring at least ``threshold`` (what marking a film reviewed leaves open)."""
    return [f for f in findings if is_pending(f) and (f.score is None or f.score >= threshold)]


# ---- films ---------------------------------------------------------------------------------------------
def _modality_check(image: ImageRecord) -> str | None:
    """DICOM Modality other than MG, unless Body Part Examined is BREAST (digitised films stored as OT/SC/RG)."""
    modality = (image.modality or "").strip().upper()
    body = str(image.metadata.get("body_part_examined") or "").strip().upper()
    if modality and modality != "MG" and body != "BREAST":
        return f"Modality {modality}, not a mammogram (MG)"
    return None


def _breast_check(image: ImageRecord) -> str | None:
    if image.metadata.get("breast_found") is False:
        return "no breast found on the film"
    return None


#: checks of what a film is; each returns why it is not a mammogram, or None. Extend by appending.
NOT_MAMMOGRAPHY_CHECKS: list[Callable[[ImageRecord], str | None]] = [_modality_check, _breast_check]


def not_mammography_reason(image: ImageRecord) -> str | None:
    """Why ``image`` is not a mammogram, or None if it may be: DICOM Modality other than MG (unless its Body
    Part Examined, ``metadata["body_part_examined"]``, is BREAST), or ``metadata["breast_found"]`` false.

    A film whose modality is unknown (PNG, PGM) may be one. The checks are :data:`NOT_MAMMOGRAPHY_CHECKS`; the
    same rule as ``mammoviewer.density.guard`` applies to a loaded image.
    """
    for check in NOT_MAMMOGRAPHY_CHECKS:
        reason = check(image)
        if reason:
            return reason
    return None


def unlocated(image: ImageRecord) -> list[str]:
    """Findings of the film known without a location (kept in its metadata), e.g. MIAS ``*NOTE 3*`` rows."""
    return [str(r) for key in UNLOCATED_KEYS for r in image.metadata.get(key, [])]


@dataclass(frozen=True, slots=True)
class FilmTruth:
    """One film as truth: its status ("reviewed", "in progress") and findings sorted by the reader's decisions."""

    image: ImageRecord
    status: str
    truth: list[Finding]
    pending: list[Finding]
    rejected: list[Finding]

    @property
    def normal(self) -> bool:
        """True only for a reviewed film with no finding (none located, none known without a location)."""
        return self.status == REVIEWED and not self.truth and not unlocated(self.image)


def film_truth(image: ImageRecord, findings: list[Finding], include_in_progress: bool = False) -> FilmTruth | None:
    """``image`` as truth by the rule of this module, or None when it gives none.

    None for a film that is not a mammogram, and for a film not yet reviewed unless
    ``include_in_progress`` is given and the reader decided at least one of its findings (accepted, drawn,
    imported or rejected): then its status is "in progress".
    """
    if not_mammography_reason(image) is not None:
        return None
    decided = split(findings)
    if image.review_state == REVIEWED:
        return FilmTruth(image, REVIEWED, decided.truth, decided.pending, decided.rejected)
    if include_in_progress and (decided.truth or decided.rejected):
        return FilmTruth(image, IN_PROGRESS, decided.truth, decided.pending, decided.rejected)
    return None

"""What an export writes: the store's films as truth (by :mod:`mammoviewer.review.truth`), and the fixed class ids.

Every export format selects through :func:`select`: a film goes out only when the reader marked it reviewed;
with ``include_in_progress`` also the reader's decided findings of films not yet reviewed (only formats that
write a film's status take them); never a film that is not a mammogram; never one film twice
(:mod:`mammoviewer.review.identity`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mammoviewer.errors import ExportError
from mammoviewer.review.identity import film_identity, identified, identify_file
from mammoviewer.review.records import Finding, ImageRecord
from mammoviewer.review.store import ReviewStore
from mammoviewer.review.truth import (REVIEWED, film_truth, is_pending, is_truth, not_mammography_reason,
                                       unlocated)

#: Stable class ids, never to be renumbered (files written earlier depend on them).
COCO_CATEGORY_IDS = {"benign": 1, "malignant": 2}
YOLO_CLASS_IDS = {"benign": 0, "malignant": 1}
#: COCO category of the reader's rejected model findings (hard negatives), written only with ``--include-rejected``
COCO_REJECTED_ID = 3
#: formats that write each film's status ("reviewed" / "in progress"), so they may take films not yet reviewed
FILM_STATUS_FORMATS = ("coco", "csv")
#: formats that may write rejected findings (COCO and CSV with ``--include-rejected``; MIAS always, in its
#: separate ``_rejected`` file); YOLO and VOC never do
REJECTED_FORMATS = ("coco", "csv", "mias")


@dataclass(frozen=True, slots=True)
class ImageFindings:
    """One film with its findings to export: what is written as boxes, and the rejected ones."""

    image: ImageRecord
    kept: list[Finding]  # the reader's truth (+ pending model candidates when asked for)
    rejected: list[Finding]  # hard negatives
    film_status: str = REVIEWED  # "reviewed", or "in progress" (only the reader's decisions so far)

    @property
    def normal(self) -> bool:
        """A reviewed film with no finding: the only film a format may write as lesion-free."""
        return self.film_status == REVIEWED and not any(map(is_truth, self.kept)) and not unlocated(self.image)


@dataclass(frozen=True, slots=True)
class Selection:
    """The films an export writes, and what it left out."""

    items: list[ImageFindings]
    left_out: list[str] = field(default_factory=list)  # one line per film that is not a mammogram
    not_reviewed: int = 0  # films left out because the reader has not marked them reviewed


def export_status(f: Finding) -> str:
    """The status an export writes: "accepted" (the reader's truth), "pending" or "rejected"."""
    if is_truth(f):
        return "accepted"
    return "rejected" if f.status == "rejected" else "pending"


def _identified(image: ImageRecord, identify: Callable[[str], Any]) -> ImageRecord:
    """``image`` with its content hash and modality read from its file when the store does not know them."""
    if image.content_hash is not None or not Path(image.key).is_file():
        return image
    return identified(image, identify(image.key))


def select(store: ReviewStore, reviewed_only: bool = False, include_pending: bool = False,
           progress: Callable[[int, int], None] | None = None, *, include_in_progress: bool = False,
           include_rejected: bool = False, identify: Callable[[str], Any] = identify_file) -> Selection:
    """The store's films as truth (sorted by key), by the rule of :mod:`mammoviewer.review.truth`.

    Kept: the reader's truth (accepted model findings with their edits, reader-drawn and imported findings);
    with ``include_pending`` also the undecided model candidates. Rejected ones are kept apart. Films not
    marked reviewed are left out unless ``include_in_progress`` (then those with a decided finding to write, as
    "in progress": truth, or rejected ones with ``include_rejected``; a film in progress written without any
    would read as lesion-free); films that are not mammograms are left out with one line each.
    ``reviewed_only`` is the default and kept for older callers. A film known to the store under two
    files is refused (ExportError naming both). ``progress(done, total)`` follows the films.
    """
    del reviewed_only  # films not reviewed are only ever added by ``include_in_progress``
    items: list[ImageFindings] = []
    left_out: list[str] = []
    not_reviewed = 0
    images = store.images()
    for done, img in enumerate(images, start=1):
        found = store.findings(img.key)
        if progress is not None:
            progress(done, len(images))
        img = _identified(img, identify) if (img.review_state == REVIEWED or include_in_progress) else img
        reason = not_mammography_reason(img)
        if reason is not None:
            left_out.append(f"{img.key}: left out, {reason}")
            continue
        film = film_truth(img, found, include_in_progress)
        if film is None:
            not_reviewed += 1
            continue
        kept = [f for f in found if is_truth(f) or (include_pending and is_pending(f))]
        if film.status != REVIEWED and not film.truth and not (include_rejected and film.rejected):
            not_reviewed += 1  # nothing the reader decided would be written: it would look lesion-free
            continue
        items.append(ImageFindings(img, kept, film.rejected, film.status))
    check_one_truth_per_film(items)
    return Selection(items, left_out, not_reviewed)


def check_one_truth_per_film(items: list[ImageFindings]) -> None:
    """ExportError naming both files when two exported image records are the same film (same pixels)."""
    seen: dict[str, str] = {}
    for it in items:
        ident = film_identity(it.image)
        if ident in seen:
            raise ExportError(
                f"{seen[ident]} and {it.image.key} are the same film (identical pixels) and both would be "
                "exported as truth; leave one of them out (mark it \"in progress\" and export without "
                "--include-in-progress) and export again"
            )
        seen[ident] = it.image.key


def unique_stems(items: list[ImageFindings], out: Path) -> dict[str, str]:
    """Image key -> file stem for per-image files; ExportError if two images share a stem."""
    stems: dict[str, str] = {}
    seen: dict[str, str] = {}
    for it in items:
        stem = Path(it.image.key).stem
        if stem in seen:
            raise ExportError(
                f"{out}: two images are both named {stem!r} ({seen[stem]}, {it.image.key}); "
                "per-image files would collide"
            )
        seen[stem] = it.image.key
        stems[it.image.key] = stem
    return stems


def check_options(fmt: str, include_in_progress: bool, include_rejected: bool) -> None:
    """ExportError when ``fmt`` cannot say what the options would add."""
    if include_in_progress and fmt not in FILM_STATUS_FORMATS:
        raise ExportError(f"--include-in-progress: {fmt} cannot mark a film as not yet reviewed; "
                          f"use {' or '.join(FILM_STATUS_FORMATS)}")  # fmt: skip
    if include_rejected and fmt not in REJECTED_FORMATS:
        raise ExportError(f"--include-rejected: {fmt} never writes rejected findings (a trainer would take them "
                          f"for lesions); use coco or csv")  # fmt: skip

"""What an export writes: the store's images with their findings, and the formats' fixed class ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mammoviewer.errors import ExportError
from mammoviewer.review.records import Finding, ImageRecord
from mammoviewer.review.store import ReviewStore
from mammoviewer.review.truth import is_pending, is_truth, split

#: Stable class ids, never to be renumbered (files written earlier depend on them).
COCO_CATEGORY_IDS = {"benign": 1, "malignant": 2}
YOLO_CLASS_IDS = {"benign": 0, "malignant": 1}
@dataclass(frozen=True, slots=True)
class ImageFindings:
    """One image with its findings to export: what is written as boxes, and the rejected ones."""

    image: ImageRecord
    kept: list[Finding]  # the reader's truth (+ pending model candidates when asked for)
    rejected: list[Finding]  # hard negatives


def export_status(f: Finding) -> str:
    """The status an export writes: "accepted" (the reader's truth), "pending" or "rejected"."""
    if is_truth(f):
        return "accepted"
    return "rejected" if f.status == "rejected" else "pending"


def select(store: ReviewStore, reviewed_only: bool = False, include_pending: bool = False,
           progress: Callable[[int, int], None] | None = None) -> list[ImageFindings]:
    """Images (sorted by key) with their findings, by the truth rule of :mod:`mammoviewer.review.truth`.

    Kept: accepted model findings (with their edits), reader-drawn and imported findings; with
    ``include_pending`` also the undecided model candidates. Rejected ones are kept apart as hard
    negatives. ``reviewed_only`` keeps only images whose review state is "reviewed".
    ``progress(done, total)`` is called after each image's findings are read.
    """
    out = []
    images = store.images("reviewed" if reviewed_only else None)
    for done, img in enumerate(images, start=1):
        found = store.findings(img.key)
        if progress is not None:
            progress(done, len(images))
        decided = split(found)
        kept = [f for f in found if is_truth(f) or is_pending(f)] if include_pending else decided.truth
        out.append(ImageFindings(img, kept, decided.rejected))
    return out


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

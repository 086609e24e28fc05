"""What an export writes: the store's images with their findings, and the formats' fixed class ids."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mammoviewer.errors import ExportError
from mammoviewer.review.records import Finding, ImageRecord
from mammoviewer.review.store import ReviewStore

#: Stable class ids, never to be renumbered (files written earlier depend on them).
COCO_CATEGORY_IDS = {"benign": 1, "malignant": 2}
YOLO_CLASS_IDS = {"benign": 0, "malignant": 1}
@dataclass(frozen=True, slots=True)
class ImageFindings:
    """One image with its findings to export, split into kept and rejected."""

    image: ImageRecord
    kept: list[Finding]  # pending + accepted
    rejected: list[Finding]


def select(store: ReviewStore, reviewed_only: bool = False) -> list[ImageFindings]:
    """Images (sorted by key) with their findings; only "reviewed" images if ``reviewed_only``."""
    out = []
    for img in store.images("reviewed" if reviewed_only else None):
        fs = store.findings(img.key)
        out.append(
            ImageFindings(
                img, [f for f in fs if f.status != "rejected"], [f for f in fs if f.status == "rejected"]
            )
        )
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

"""CSV: one row per exported finding; ``status`` is "accepted" (truth), "pending" (a model candidate,
only with ``--include-pending``) or "rejected" (a hard negative, only with ``--include-rejected``);
``film_status`` is "reviewed" (the film's truth is complete) or "in progress" (only the reader's
decisions so far, ``--include-in-progress``)."""

from __future__ import annotations

import csv
from pathlib import Path

from mammoviewer.formats.atomic import atomic_files
from mammoviewer.formats.selection import ImageFindings, export_status

COLUMNS = (
    "image", "x0", "y0", "x1", "y1", "label", "finding_type", "score", "source", "status",
    "review_state", "note", "edited", "finding_id", "model_name", "model_version", "film_status",
)  # fmt: skip


def write(items: list[ImageFindings], out: Path, include_rejected: bool = False) -> list[Path]:
    with atomic_files([out]) as (tmp,):
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            for it in items:
                for f in it.kept + (it.rejected if include_rejected else []):
                    w.writerow([
                        it.image.key, *(repr(v) for v in f.box.as_tuple()), f.label,
                        f.finding_type or "", "" if f.score is None else repr(f.score), f.source,
                        export_status(f), it.image.review_state, f.note, int(f.edited), f.id,
                        f.model_name or "", f.model_version or "", it.film_status,
                    ])  # fmt: skip
    return [out]

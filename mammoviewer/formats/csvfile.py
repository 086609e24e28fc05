"""CSV: one row per exported finding; ``status`` is "accepted" (truth), "pending" (a model candidate,
only with ``--include-pending``) or "rejected" (a hard negative)."""

from __future__ import annotations

import csv
from pathlib import Path

from mammoviewer.formats.atomic import atomic_files
from mammoviewer.formats.selection import ImageFindings, export_status

COLUMNS = (
    "image", "x0", "y0", "x1", "y1", "label", "finding_type", "score", "source", "status",
    "review_state", "note", "edited", "finding_id", "model_name", "model_version",
)  # fmt: skip


def write(items: list[ImageFindings], out: Path) -> list[Path]:
    with atomic_files([out]) as (tmp,):
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            for it in items:
                for f in it.kept + it.rejected:
                    w.writerow([
                        it.image.key, *(repr(v) for v in f.box.as_tuple()), f.label,
                        f.finding_type or "", "" if f.score is None else repr(f.score), f.source,
                        export_status(f), it.image.review_state, f.note, int(f.edited), f.id,
                        f.model_name or "", f.model_version or "",
                    ])  # fmt: skip
    return [out]

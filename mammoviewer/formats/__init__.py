"""Annotation formats: export a review store's findings (MIAS, COCO, Pascal VOC, YOLO, CSV) and import labels.

``export_store(store, fmt, out)`` writes the reader's truth (``formats.selection``, by the rule of
``review.truth``) atomically: single files via a temporary file
in the same folder and ``os.replace``; multi-file formats (voc, yolo) via a temporary
folder renamed into place. A failure leaves no partial output. ``import_mias`` and
``import_coco`` (in :mod:`mammoviewer.formats.importers`) load labels into a store.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mammoviewer.errors import ExportError
from mammoviewer.formats.selection import (COCO_CATEGORY_IDS, COCO_REJECTED_ID, YOLO_CLASS_IDS, check_options,
                                           export_status, select)
from mammoviewer.formats.importers import ImportSummary, import_coco, import_mias
from mammoviewer.review.store import ReviewStore

#: format -> module in this package; voc and yolo write a folder, the others a file.
EXPORT_FORMATS = {"mias": "mias", "coco": "coco", "voc": "voc", "yolo": "yolo", "csv": "csvfile"}


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote."""

    format: str
    paths: list[Path]
    images: int
    findings: int  # written as boxes: the reader's truth (+ pending candidates when asked for)
    rejected: int  # rejected findings written (hard negatives)
    pending: int = 0  # pending model candidates among ``findings``
    in_progress: int = 0  # films written with only the reader's decisions so far (``include_in_progress``)
    not_reviewed: int = 0  # films left out because the reader has not marked them reviewed
    left_out: list[str] = field(default_factory=list)  # one line per film left out as not a mammogram


def export_store(store: ReviewStore, fmt: str, out: str | Path, reviewed_only: bool = False,
                 include_pending: bool = False,
                 progress: Callable[[int, int], None] | None = None, *, include_in_progress: bool = False,
                 include_rejected: bool = False) -> ExportSummary:  # fmt: skip
    """Write the store's films as ``fmt`` to ``out`` (a file, or a folder for voc/yolo), by the truth rule.

    Only films the reader marked reviewed are written (see :func:`select`); ``include_in_progress`` adds the
    reader's decided findings of films not yet reviewed (COCO and CSV only, marked "in progress");
    ``include_pending`` adds the undecided model candidates (COCO and CSV mark each with its status);
    ``include_rejected`` writes the rejected findings (COCO: category "rejected"; CSV: status "rejected");
    MIAS always writes them to its ``_rejected`` file, YOLO and VOC never. ``reviewed_only`` is the
    default, kept for older callers. ``progress(done, total)`` follows the films as they are read.
    Raises ExportError naming the path and the problem (also when one film would go out twice).
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    check_options(fmt, include_in_progress, include_rejected)
    out = Path(out).expanduser().absolute()
    chosen = select(store, reviewed_only, include_pending, progress, include_in_progress=include_in_progress,
                    include_rejected=include_rejected and fmt in ("coco", "csv"))
    items = chosen.items
    if fmt in ("voc", "yolo"):  # boxes or a lesion-free film; a film known only by unlocated rows cannot be written
        items = [it for it in items if it.kept or it.normal]
    if fmt in ("voc", "yolo") or (fmt in ("coco", "csv") and not include_rejected):
        items = [replace(it, rejected=[]) for it in items]
    module = importlib.import_module(f"mammoviewer.formats.{EXPORT_FORMATS[fmt]}")
    options = {"include_rejected": include_rejected} if fmt in ("coco", "csv") else {}
    paths = module.write(items, out, **options)
    return ExportSummary(
        fmt, paths, len(items), sum(len(i.kept) for i in items), sum(len(i.rejected) for i in items),
        sum(export_status(f) == "pending" for i in items for f in i.kept),
        sum(i.film_status != "reviewed" for i in items), chosen.not_reviewed, chosen.left_out,
    )


__all__ = [
    "COCO_CATEGORY_IDS", "COCO_REJECTED_ID", "EXPORT_FORMATS", "ExportSummary", "ImportSummary", "YOLO_CLASS_IDS",
    "export_store", "import_coco", "import_mias",
]  # fmt: skip

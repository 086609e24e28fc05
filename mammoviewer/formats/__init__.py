"""Annotation formats: export a review store's findings (MIAS, COCO, Pascal VOC, YOLO, CSV) and import labels.

``export_store(store, fmt, out)`` writes atomically: single files via a temporary file
in the same folder and ``os.replace``; multi-file formats (voc, yolo) via a temporary
folder renamed into place. A failure leaves no partial output. ``import_mias`` and
``import_coco`` (in :mod:`mammoviewer.formats.importers`) load labels into a store.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mammoviewer.errors import ExportError
from mammoviewer.formats.selection import COCO_CATEGORY_IDS, YOLO_CLASS_IDS, export_status, select
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
    rejected: int
    pending: int = 0  # pending model candidates among ``findings``


def export_store(store: ReviewStore, fmt: str, out: str | Path, reviewed_only: bool = False,
                 include_pending: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> ExportSummary:
    """Write the store's findings as ``fmt`` to ``out`` (a file, or a folder for voc/yolo).

    By default only the reader's truth is written (see :func:`select`); ``include_pending`` adds the
    undecided model candidates (COCO and CSV mark each with its status). Rejected findings go out as
    hard negatives. ``reviewed_only`` keeps only images whose review state is "reviewed";
    ``progress(done, total)`` follows the images as their findings are read.
    Raises ExportError naming the path and the problem.
    """
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    out = Path(out).expanduser().absolute()
    items = select(store, reviewed_only, include_pending, progress)
    module = importlib.import_module(f"mammoviewer.formats.{EXPORT_FORMATS[fmt]}")
    paths = module.write(items, out)
    return ExportSummary(
        fmt, paths, len(items), sum(len(i.kept) for i in items), sum(len(i.rejected) for i in items),
        sum(export_status(f) == "pending" for i in items for f in i.kept),
    )


__all__ = [
    "COCO_CATEGORY_IDS", "EXPORT_FORMATS", "ExportSummary", "ImportSummary", "YOLO_CLASS_IDS",
    "export_store", "import_coco", "import_mias",
]  # fmt: skip

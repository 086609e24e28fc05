"""``mammoviewer export``: write a review store's findings as MIAS, COCO, VOC, YOLO, CSV, CAD SR or GSPS."""

from __future__ import annotations

import argparse
import sys

from mammoviewer.cli.arguments import score


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, metavar="S", help="review store file")
    parser.add_argument("--format", required=True, metavar="FMT",
                        help="mias, coco, voc, yolo, csv, cad-sr or gsps")  # fmt: skip
    parser.add_argument("--out", required=True, metavar="PATH",
                        help="output file (folder for voc/yolo/cad-sr/gsps)")  # fmt: skip
    parser.add_argument("--reviewed-only", action="store_true",
                        help="only films marked reviewed: the default for the truth formats; limits cad-sr too")
    parser.add_argument("--include-in-progress", action="store_true",
                        help="coco, csv: also the reader's decided findings of films not yet marked reviewed, "
                             "with \"film_status\": \"in progress\" (never written as normal films)")  # fmt: skip
    parser.add_argument("--include-rejected", action="store_true",
                        help="coco, csv: also the model findings the reader rejected (hard negatives; COCO "
                             "category \"rejected\"); MIAS always writes them to its _rejected file")  # fmt: skip
    parser.add_argument("--include-pending", action="store_true",
                        help="also write the model's undecided candidates (marked \"pending\" in COCO and CSV, "
                             "drawn in GSPS); by default only the reader's truth is written")  # fmt: skip
    parser.add_argument("--operating-point", type=score, default=None, metavar="T",
                        help="cad-sr: findings scoring below T are marked Not for Presentation "
                             "(default: the model card's operating point)")  # fmt: skip


def _check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that is the store itself (or one of its SQLite side files)."""
    import os
    from pathlib import Path

    from mammoviewer.errors import ExportError

    out = Path(args.out).expanduser().absolute()
    store = Path(args.store).expanduser().absolute()
    same = {os.path.realpath(store), *(os.path.realpath(f"{store}{s}") for s in ("-wal", "-shm", "-journal"))}
    if os.path.realpath(out) in same or (out.exists() and store.exists() and os.path.samefile(out, store)):
        raise ExportError(f"{out}: is the review store being exported; refused: choose another --out")


def _run_dicom(args: argparse.Namespace) -> int:
    from mammoviewer.formats.dicom_out import export_dicom
    from mammoviewer.formats.selection import check_options
    from mammoviewer.review.store import ReviewStore

    check_options(args.format, args.include_in_progress, args.include_rejected)
    with ReviewStore.open(args.store, create=False) as store:
        s = export_dicom(store, args.format, args.out, include_pending=args.include_pending,
                         reviewed_only=args.reviewed_only, operating_point=args.operating_point)  # fmt: skip
    for line in s.skipped + s.failed:
        print(f"mammoviewer: {line}", file=sys.stderr)
    print(f"wrote {len(s.paths)} {s.format} objects ({s.findings} findings) into {s.out}")
    return 1 if s.failed else 0


def run(args: argparse.Namespace) -> int:
    from mammoviewer.errors import ExportError
    from mammoviewer.formats import EXPORT_FORMATS, export_store
    from mammoviewer.formats.dicom_out import DICOM_FORMATS
    from mammoviewer.review.store import ReviewStore

    _check_out(args)
    if args.format in DICOM_FORMATS:
        return _run_dicom(args)
    if args.format not in EXPORT_FORMATS:
        known = ", ".join([*EXPORT_FORMATS, *DICOM_FORMATS])
        raise ExportError(f"unknown export format {args.format!r}; choose one of {known}")
    from mammoviewer.progress import Bar, callback

    with ReviewStore.open(args.store, create=False) as store, Bar(None, "export", unit="image") as bar:
        s = export_store(store, args.format, args.out, reviewed_only=args.reviewed_only,
                         include_pending=args.include_pending, progress=callback(bar),
                         include_in_progress=args.include_in_progress, include_rejected=args.include_rejected)
    for line in s.left_out:
        print(f"mammoviewer: {line}", file=sys.stderr)
    pending = f", {s.pending} of them pending," if args.include_pending else ""
    progress = f", {s.in_progress} of them in progress" if args.include_in_progress else ""
    print(f"wrote {s.findings} findings{pending} and {s.rejected} rejected on {s.images} images{progress} as "
          f"{s.format}: " + ", ".join(map(str, s.paths)))  # fmt: skip
    if s.not_reviewed:
        print(f"left out {s.not_reviewed} films not marked reviewed"
              + ("" if args.include_in_progress else " (--include-in-progress adds the reader's decisions on "
                 "them to coco and csv)"))  # fmt: skip
    return 0

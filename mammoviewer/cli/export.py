"""``mammoviewer export``: write a review store's findings as MIAS, COCO, VOC, YOLO or CSV."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, metavar="S", help="review store file")
    parser.add_argument("--format", required=True, metavar="FMT", help="mias, coco, voc, yolo or csv")
    parser.add_argument("--out", required=True, metavar="PATH", help="output file (folder for voc/yolo)")
    parser.add_argument("--reviewed-only", action="store_true", help="only images marked reviewed")
    parser.add_argument("--include-pending", action="store_true",
                        help="also write the model's undecided candidates (marked \"pending\" in COCO and CSV); "
                             "by default only the reader's truth is written")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.errors import ExportError
    from mammoviewer.formats import EXPORT_FORMATS, export_store
    from mammoviewer.review.store import ReviewStore

    if args.format not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {args.format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    from mammoviewer.progress import Bar, callback

    with ReviewStore.open(args.store, create=False) as store, Bar(None, "export", unit="image") as bar:
        s = export_store(store, args.format, args.out, reviewed_only=args.reviewed_only,
                         include_pending=args.include_pending, progress=callback(bar))
    pending = f", {s.pending} of them pending," if args.include_pending else ""
    print(f"wrote {s.findings} findings{pending} and {s.rejected} rejected on {s.images} images as {s.format}: "
          + ", ".join(map(str, s.paths)))  # fmt: skip
    return 0

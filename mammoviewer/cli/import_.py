"""``mammoviewer import``: load MIAS or COCO labels, or CAD SR findings, into a review store (created if absent)."""

from __future__ import annotations

import argparse

from mammoviewer.errors import ExportError

FORMATS = ("mias", "coco", "cad-sr")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, metavar="S", help="review store file (created if absent)")
    parser.add_argument("--format", required=True, metavar="FMT", help="mias, coco or cad-sr")
    parser.add_argument("--info", required=True, metavar="FILE",
                        help="MIAS Info.txt, the COCO JSON, or a CAD SR file or folder")  # fmt: skip
    parser.add_argument("--images", required=True, metavar="DIR", help="folder holding the images")


def run(args: argparse.Namespace) -> int:
    if args.format not in FORMATS:
        raise ExportError(f"unknown import format {args.format!r}; choose mias, coco or cad-sr")
    from mammoviewer.formats.cad_sr_import import import_cad_sr
    from mammoviewer.formats.importers import import_coco, import_mias
    from mammoviewer.review.store import ReviewStore

    from mammoviewer.progress import Bar, callback

    with ReviewStore.open(args.store, create=True) as store, Bar(None, "import", unit="image") as bar:
        if args.format == "cad-sr":
            s = import_cad_sr(store, args.info, args.images)
        else:
            load = import_mias if args.format == "mias" else import_coco
            s = load(store, args.info, args.images, progress=callback(bar))
        bar.to(s.images + len(s.missing))
    print(f"imported {s.images} images, {s.findings} findings into {args.store}"
          + (f" ({s.unlocated} rows without a location kept in image notes)"
             if s.unlocated and args.format != "cad-sr" else ""))  # fmt: skip
    if s.missing:
        shown = ", ".join(s.missing[:10]) + (" ..." if len(s.missing) > 10 else "")
        print(f"skipped {len(s.missing)} images not found in {args.images}: {shown}")
    if s.unlocated and args.format == "cad-sr":
        print(f"skipped {s.unlocated} CAD findings without an outline or image reference")
    return 0

"""``mammoviewer detect``: run IDBLL on images and print the findings as one JSON document."""

from __future__ import annotations

import argparse
import json

from mammoviewer.cli.arguments import score
from mammoviewer.progress import Bar, say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PGM, DICOM, PNG or TIFF files")
    parser.add_argument("--model", default=None, help="model file or folder (default: the bundled model)")
    parser.add_argument("--threshold", type=score, default=None,
                        help="keep findings with score >= T (default: the model's operating point; "
                             "0 keeps every candidate after post-processing, up to 100 per image)")
    parser.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    parser.add_argument("--store", default=None, metavar="S",
                        help="also record the findings in review store S as pending, for review")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.density.guard import check_mammogram
    from mammoviewer.detect import Detector
    from mammoviewer.detect.run import detect_film

    store = None
    if args.store is not None:
        from mammoviewer.review import ReviewStore

        store = ReviewStore.open(args.store)
    try:
        detector = Detector.load(args.model, device=args.device)
        threshold = detector.default_threshold if args.threshold is None else float(args.threshold)
        results, failed = [], 0
        with Bar(len(args.images), "detect", enabled=None if len(args.images) > 1 else False) as bar:
            for path in args.images:
                film = detect_film(detector, path, threshold, check=check_mammogram)  # no CT graded "normal"
                results.append(film.entry)
                if film.failed:
                    failed += 1
                    say(f"mammoviewer: error: {film.entry['error']}")
                elif store is not None:
                    from mammoviewer.review.pending import record_pending

                    record_pending(store, film.entry, detector.name, detector.version, threshold,
                                   film.pixel_spacing_mm)
                bar.update()
    finally:
        if store is not None:
            store.close()
    doc = {"model": f"{detector.name} {detector.version}", "device": detector.device,
           "threshold": threshold, "images": results}
    print(json.dumps(doc, indent=1))
    return 2 if failed else 0

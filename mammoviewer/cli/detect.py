"""``mammoviewer detect``: run IDBLL on images and print the findings as one JSON document."""

from __future__ import annotations

import argparse
import json
import sys
import time

from mammoviewer.cli.arguments import score


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PGM, DICOM, PNG or TIFF files")
    parser.add_argument("--model", default=None, help="model file or folder (default: the bundled model)")
    parser.add_argument("--threshold", type=score, default=None,
                        help="keep findings with score >= T (default: the model's operating point; "
                             "0 keeps every candidate after post-processing, up to 100 per image)")
    parser.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.detect import Detector
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.io import load_image

    detector = Detector.load(args.model, device=args.device)
    threshold = detector.default_threshold if args.threshold is None else float(args.threshold)
    results, failed = [], 0
    for path in args.images:
        try:
            t0 = time.perf_counter()
            image = load_image(path)
            findings = detector.detect(image, threshold=threshold)
            seconds = time.perf_counter() - t0
        except MammoViewerError as exc:
            failed += 1
            print(f"mammoviewer: error: {exc}".replace("\n", " "), file=sys.stderr, flush=True)
            continue
        results.append({
            "path": path,
            "width": image.columns,
            "height": image.rows,
            "seconds": round(seconds, 4),
            "findings": [
                {"box": [round(v, 2) for v in d.box], "label": d.label, "score": round(d.score, 6)}
                for d in findings
            ],
        })
    doc = {"model": f"{detector.name} {detector.version}", "device": detector.device, "images": results}
    print(json.dumps(doc, indent=1))
    return 2 if failed else 0

"""``mammoviewer classify``: normal / benign / malignant probabilities per film.

``--json`` prints ``{"model": {...}, "images": [{"path", "probabilities": {"normal", "benign",
"malignant"}}]}``. An unreadable file gives one stderr line naming it; the others are still
classified and the exit status is 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from mammoviewer.errors import ImageReadError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="IMAGE", help="image files (PGM, DICOM, PNG, TIFF)")
    parser.add_argument("--model", default=None, metavar="M",
                        help="model folder or .keras file (default: the bundled models/case-classifier)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mammoviewer.classify.classifier import CaseClassifier
    from mammoviewer.io import load_image

    clf = CaseClassifier.load(args.model)  # DetectorError -> one line, exit 2 (dispatcher)
    results, failed = [], False
    for path in args.paths:
        try:
            probs = clf.predict(load_image(path))
        except ImageReadError as exc:
            failed = True
            print(f"mammoviewer: error: {exc}", file=sys.stderr)
            continue
        results.append({"path": path, "probabilities": probs})
    if args.json:
        print(json.dumps({"model": {"name": clf.name, "version": clf.version}, "images": results}))
    else:
        for r in results:
            p = r["probabilities"]
            best = max(p, key=p.get)
            print(f"{r['path']}: {best}  " + "  ".join(f"{k} {v:.3f}" for k, v in p.items()))
    return 2 if failed else 0

"""``mammoviewer locate``: the detector's proposals for clicks on an image, as one JSON document."""

from __future__ import annotations

import argparse
import json
import math


def click(text: str) -> tuple[float, float]:
    """``X,Y`` in the image's pixels (column, row; origin top-left)."""
    parts = text.split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y (two numbers, e.g. 538,343)") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise argparse.ArgumentTypeError(f"{text!r} is not X,Y with finite numbers")
    return x, y


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("image", metavar="IMAGE", help="PGM, DICOM, PNG or TIFF file")
    parser.add_argument("--at", type=click, action="append", required=True, metavar="X,Y",
                        help="a click in the image's pixels (column,row from the top-left); repeatable")
    parser.add_argument("--model", default=None, help="model file or folder (default: the bundled model)")
    parser.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.detect import Detector
    from mammoviewer.detect.locate import Locator
    from mammoviewer.errors import DetectorError
    from mammoviewer.io import load_image

    image = load_image(args.image)
    for x, y in args.at:  # before the model loads: a bad click fails at once
        if not (0 <= x < image.columns and 0 <= y < image.rows):
            raise DetectorError(f"{args.image}: --at {x:g},{y:g} is outside the {image.columns} x {image.rows} image")
    locator = Locator(Detector.load(args.model, device=args.device))
    clicks = []
    for x, y in args.at:
        proposals = locator.locate(image, x, y)
        clicks.append({"at": [x, y], "findings": [
            {"box": [round(v, 2) for v in p.box], "label": p.label, "score": round(p.score, 6)} for p in proposals]})
    print(json.dumps({"model": locator.model_name, "path": args.image, "clicks": clicks}, indent=1))
    return 0

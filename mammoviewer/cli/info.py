"""``mammoviewer info``: an image's format, size, bit depth, geometry and windows."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mammoviewer.errors import ImageReadError

#: JSON keys, in order
FIELDS = (
    "format", "rows", "columns", "bits_stored", "photometric", "modality",
    "laterality", "view", "pixel_spacing_mm", "windows",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="image files (PGM, DICOM, PNG, TIFF)")
    parser.add_argument("--json", action="store_true", help="print JSON (one object, or a list for several files)")


def describe(path: str) -> dict[str, Any]:
    """The ``info`` record of one file (raises ``ImageReadError``)."""
    from mammoviewer.io import load_image

    image = load_image(path)
    return {
        "format": image.format,
        "rows": image.rows,
        "columns": image.columns,
        "bits_stored": image.bits_stored,
        "photometric": image.photometric,
        "modality": image.modality,
        "laterality": image.laterality,
        "view": image.view,
        "pixel_spacing_mm": list(image.pixel_spacing_mm) if image.pixel_spacing_mm else None,
        "windows": [
            {"center": w.center, "width": w.width, "name": w.name, "function": w.function}
            for w in image.windows
        ],
    }


def _table(path: str, record: dict[str, Any]) -> str:
    lines = [path]
    for key in FIELDS:
        value = record[key]
        if key == "windows":
            value = ", ".join(
                f"{w['center']:g}/{w['width']:g}" + (f" {w['name']}" if w["name"] else "") + f" ({w['function']})"
                for w in value
            ) or "-"
        elif key == "pixel_spacing_mm":
            value = f"{value[0]:g} x {value[1]:g}" if value else "-"
        elif value is None:
            value = "-"
        lines.append(f"  {key:<17}{value}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    records, failed = [], False
    for path in args.paths:
        try:
            records.append((path, describe(path)))
        except ImageReadError as exc:
            failed = True
            print(f"mammoviewer: error: {exc}", file=sys.stderr)
    if args.json:
        if len(args.paths) == 1:
            if records:
                print(json.dumps(records[0][1]))
        else:
            print(json.dumps([r for _, r in records]))
    elif records:
        print("\n\n".join(_table(p, r) for p, r in records))
    return 2 if failed else 0

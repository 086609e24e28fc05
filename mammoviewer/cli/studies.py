"""``mammoviewer studies PATH... [--json]``: the patients and studies of files and folders, with their views.

JSON: ``{"studies": [{"patient": ..., "study": ..., "date": ..., "views": [{"laterality": "R"|"L",
"view": "CC"|"MLO"|..., "path": ...}]}]}`` (``date`` ISO ``YYYY-MM-DD`` or null; laterality and view
null when the file does not say). Only headers are read.
"""

from __future__ import annotations

import argparse
import json
import sys

from mammoviewer.errors import ImageReadError

HELP = "group films into patients and studies (DICOM, CBIS-DDSM, mini-MIAS) and list their views"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders (searched recursively)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.studies import auto_layout, find_studies, prior_of

    errors: list[ImageReadError] = []

    def report(exc: ImageReadError) -> None:
        errors.append(exc)
        print(f"mammoviewer: error: {exc}", file=sys.stderr)

    studies = find_studies(args.paths, on_error=report)
    if args.json:
        print(json.dumps({"studies": [s.as_json() for s in studies]}))
    else:
        for study in studies:
            prior = prior_of(study, studies)
            views = " ".join(f.label for f in study.films)
            print(f"{study.patient}  {study.study}  {study.date or '-'}  {len(study.films)} film(s): {views}"
                  f"  [{auto_layout(study).value}]" + (f"  prior: {prior.study} ({prior.date})" if prior else ""))
            for film in study.films:
                print(f"    {film.label:<6} {film.path}")
    if not studies and not errors:
        print(f"mammoviewer: error: no images found in {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 2
    return 2 if errors else 0

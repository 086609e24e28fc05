"""``mammoviewer studies PATH... [--json]``: the patients and studies of files and folders, with their views.

JSON: ``{"studies": [{"patient": ..., "study": ..., "date": ..., "views": [{"laterality": "R"|"L",
"view": "CC"|"MLO"|..., "path": ...}]}]}`` (``date`` ISO ``YYYY-MM-DD`` or null; laterality and view
null when the file does not say). Only headers are read.

With ``--store S`` each study also gets ``"exam_score"``: 1-10 from the detector findings stored on its
films (``mammoviewer.classify.exam_store``; null where the detector has not run on any of its films, or
the case classifier card has no exam scale), and ``--by-exam-score`` lists the most suspicious first.
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
    parser.add_argument("--store", metavar="S", default=None,
                        help="review store with detector findings: add each study's exam score (1-10)")
    parser.add_argument("--by-exam-score", action="store_true",
                        help="with --store: list the studies with the highest exam score first")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.studies import auto_layout, find_studies, prior_of

    errors: list[ImageReadError] = []

    def report(exc: ImageReadError) -> None:
        errors.append(exc)
        print(f"mammoviewer: error: {exc}", file=sys.stderr)

    studies = find_studies(args.paths, on_error=report)
    scores = _exam_scores(studies, args.store) if args.store else None
    if scores is not None and args.by_exam_score:
        order = sorted(range(len(studies)), key=lambda i: -(scores[i] or 0))  # stable: ties keep their order
        studies, scores = [studies[i] for i in order], [scores[i] for i in order]
    if args.json:
        records = [s.as_json() for s in studies]
        for record, score in zip(records, scores or []):
            record["exam_score"] = score
        print(json.dumps({"studies": records}))
    else:
        for study in studies:
            prior = prior_of(study, studies)
            views = " ".join(f.label for f in study.films)
            score = "" if scores is None else f"  exam score {scores[studies.index(study)] or '-'}"
            print(f"{study.patient}  {study.study}  {study.date or '-'}  {len(study.films)} film(s): {views}"
                  f"  [{auto_layout(study).value}]" + (f"  prior: {prior.study} ({prior.date})" if prior else "")
                  + score)
            for film in study.films:
                print(f"    {film.label:<6} {film.path}")
    if not studies and not errors:
        print(f"mammoviewer: error: no images found in {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 2
    return 2 if errors else 0


def _exam_scores(studies: list, store_path: str) -> list[int | None]:
    from mammoviewer.classify.exam_store import exam_scores, load_case_card
    from mammoviewer.review.store import ReviewStore

    with ReviewStore.open(store_path, create=False, read_only=True) as store:
        return exam_scores(studies, store, load_case_card())

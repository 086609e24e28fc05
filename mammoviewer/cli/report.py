"""``mammoviewer report STUDY... [--store S] --out DIR``: each study's report as a PDF and a DICOM SR.

STUDY is a study folder or film (its studies are found as ``mammoviewer studies`` finds them), or a
study key as ``mammoviewer studies`` prints it (StudyInstanceUID, CBIS-DDSM exam ``Mass-Test_P_00173``,
mini-MIAS pair ``mdb023+mdb024``), looked up among the films of the store. The report is the one saved
in the store; a study without one gets its pre-filled report (the accepted findings, where they lie).
Writes ``DIR/<study>.report.pdf`` and ``DIR/<study>.report.sr.dcm`` (Comprehensive SR, TID 4200),
which ``mammoviewer pacs send`` can send.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write each study's report (from the review store) as a PDF with key images and a DICOM SR"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("studies", nargs="+", metavar="STUDY",
                        help="a study folder or film, or a study key as 'mammoviewer studies' prints it")  # fmt: skip
    parser.add_argument("--store", default=None, metavar="S",
                        help="review store file (default: the viewer's, review.sqlite in the user's data folder)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into (made if missing)")
    parser.add_argument("--no-density", action="store_true",
                        help="do not ask the density model for the composition of unreported studies")


def run(args: argparse.Namespace) -> int:
    from pydicom.uid import generate_uid

    from mammoviewer.errors import ExportError
    from mammoviewer.gui.report.pdf import write_pdf
    from mammoviewer.reporting.composition import composition_of
    from mammoviewer.reporting.export import export_study
    from mammoviewer.reporting.lookup import resolve
    from mammoviewer.review.store import ReviewStore

    out = Path(args.out).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out}: cannot make the folder ({exc.strerror or exc})") from exc
    errors = 0

    def report(exc: Exception) -> None:
        nonlocal errors
        errors += 1
        print(f"mammoviewer: error: {exc}", file=sys.stderr)

    if args.store is None:
        from mammoviewer.gui.review.store_location import default_store_path

        args.store = default_store_path()
    with ReviewStore.open(args.store, create=False, read_only=True) as store:
        studies = resolve(args.studies, store, on_error=report)
        series = generate_uid()
        for n, study in enumerate(studies, start=1):
            files = export_study(study, store, out, write_pdf, series,
                                 composition=None if args.no_density else composition_of, instance_number=n)
            state = "" if files.stored else " (pre-filled: no report saved for this study)"
            print(f"{study.study}: {files.pdf} {files.sr}{state}")
    return 2 if errors else 0

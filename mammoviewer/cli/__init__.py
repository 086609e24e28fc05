"""The ``mammoviewer`` command line: one sub-command per module in this package.

Each sub-command module provides ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported only when their command runs, so
``mammoviewer info`` never pays for TensorFlow or Qt.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from typing import Sequence

from mammoviewer import __version__
from mammoviewer.errors import MammoViewerError
from mammoviewer.messages import clean_message, warning_line

#: command name -> module name inside ``mammoviewer.cli``
COMMANDS: dict[str, str] = {
    "info": "info",
    "view": "view",
    "detect": "detect",
    "batch": "batch",
    "locate": "locate",
    "classify": "classify",
    "density": "density",
    "evaluate": "evaluate",
    "train": "train",
    "import": "import_",
    "export": "export",
    "retrain": "retrain",
    "studies": "studies",
    "pacs": "pacs",
    "report": "report",
}

_HELP: dict[str, str] = {
    "info": "print an image's format, size, bit depth, geometry and windows",
    "view": "open the viewer (optionally on a file or folder)",
    "detect": "run the lesion detector on images and print findings as JSON",
    "batch": "run the detector over an archive on a Dask cluster, resumable",
    "locate": "propose the lesion at a click (or several) on an image, as JSON",
    "classify": "run the case classifier (normal / benign / malignant)",
    "density": "percent breast density and tissue class (F / G / D) of films, as JSON with --json",
    "evaluate": "evaluate detector and classifier on whole MIAS films",
    "train": "train the lesion detector (or the case classifier) on MIAS",
    "import": "load existing labels (MIAS, COCO) or CAD SR findings into a review store",
    "export": "write a review store's findings as MIAS, COCO, VOC, YOLO, CSV, CAD SR or GSPS",
    "retrain": "fine-tune the detector on reviewed films of a store",
    "studies": "group films into patients and studies and list their views (JSON with --json)",
    "pacs": "find, retrieve (C-GET) and send (C-STORE) studies on a PACS",
    "report": "write each study's report (from the review store) as a PDF with key images and a DICOM SR",
}


def _load(command: str):
    return importlib.import_module(f"mammoviewer.cli.{COMMANDS[command]}")


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """Build the parser; only the sub-command named in ``argv`` imports its module."""
    parser = argparse.ArgumentParser(
        prog="mammoviewer",
        description="MammoViewer: mammogram viewer with an AI second reader (IDBLL).",
    )
    parser.add_argument("--version", action="version", version=f"mammoviewer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if a in COMMANDS), None)
    for name in COMMANDS:
        p = sub.add_parser(name, help=_HELP[name], description=_HELP[name])
        if name == wanted:
            _load(name).add_arguments(p)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(warning_line(message, category), file=file or sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    from mammoviewer.cli.signals import Terminated, install

    install()
    warnings.showwarning = _show_warning  # a library warning is one line, never its source code
    try:
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        return int(_load(args.command).run(args) or 0)
    except MammoViewerError as exc:
        print(f"mammoviewer: error: {exc}", file=sys.stderr)
        return 2
    except Terminated as exc:
        print(f"mammoviewer: stopped by {exc}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("mammoviewer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`): stop quietly
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except Exception as exc:  # last line of defence: no tracebacks for users
        if os.environ.get("MAMMOVIEWER_DEBUG"):
            raise
        print(
            f"mammoviewer: internal error: {type(exc).__name__}: {clean_message(exc)} "
            "(set MAMMOVIEWER_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 3

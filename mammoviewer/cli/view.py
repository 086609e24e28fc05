"""``mammoviewer view [PATH ...] [--store S] [--model M] [--no-detect] [--screenshot OUT.png] [--size WxH]
[--layout 1up|2up|4up|auto]``: open the viewer with findings review (``--layout``: read studies)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from mammoviewer.errors import ImageReadError, MammoViewerError

NO_DISPLAY_HELP = (
    "mammoviewer: error: no display found (DISPLAY/WAYLAND_DISPLAY unset). Run it under a virtual "
    "display, e.g. `xvfb-run -a mammoviewer view FILE`, or save a picture of the window with "
    "`mammoviewer view FILE --screenshot OUT.png` (renders offscreen)."
)


def parse_size(text: str) -> tuple[int, int]:
    """``"1400x900"`` -> (1400, 900)."""
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"invalid size {text!r}: expected WIDTHxHEIGHT, e.g. 1400x900")
    return int(m.group(1)), int(m.group(2))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="image file(s) or a folder (its images become the worklist)")
    parser.add_argument("--screenshot", metavar="OUT.png", type=Path,
                        help="render the window offscreen once the image has loaded, save it as PNG and exit")
    parser.add_argument("--store", metavar="S", type=Path, default=None,
                        help="review store file (created if new; default: review.sqlite in the user's "
                             "data folder, e.g. ~/.local/share/mammoviewer/)")
    parser.add_argument("--model", metavar="M", type=Path, default=None,
                        help="detector model (.keras file or its folder; default: the bundled model)")
    parser.add_argument("--no-detect", action="store_true",
                        help="do not run the detector (stored findings are still shown)")
    parser.add_argument("--size", type=parse_size, default=None, metavar="WxH",
                        help="window size in pixels (default 1400x900)")
    parser.add_argument("--layout", choices=("1up", "2up", "4up", "auto"), default=None,
                        help="read PATHs as studies (patients and exams) in this hanging: 1up, 2up (R and L "
                             "of one view), 4up (RCC LCC over RMLO LMLO), auto (chosen from each study); with "
                             "--screenshot the first study is rendered in it")


def run(args: argparse.Namespace) -> int:
    for p in args.paths:
        if not Path(p).exists():
            raise ImageReadError(p, "no such file or folder")
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        out = Path(args.screenshot)
        if not out.parent.is_dir():
            raise MammoViewerError(f"{out}: folder {out.parent} does not exist")
    from mammoviewer.gui.app import display_available

    if not display_available():
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2
    from mammoviewer.gui.app import run_viewer

    if args.model is not None and not Path(args.model).exists():
        raise MammoViewerError(f"{args.model}: no such model file or folder")
    if args.store is not None and not Path(args.store).expanduser().absolute().parent.is_dir():
        raise MammoViewerError(f"{args.store}: folder {Path(args.store).parent} does not exist")
    return run_viewer(args.paths, screenshot=args.screenshot, size=args.size, store=args.store,
                      model=args.model, detect=not args.no_detect, layout=args.layout)

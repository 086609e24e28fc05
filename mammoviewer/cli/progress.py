"""A progress bar on stderr, shown only when stderr is a terminal (never in captured or piped output)."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def progress_bar(total: int, show: bool = True, initial: int = 0, desc: str | None = None) -> Any:
    """A ``tqdm`` bar counting films (rate in films/s, ETA) on stderr.

    Hidden unless ``show`` and stderr is a terminal; its ``write`` prints a line above the bar
    (or plainly on stderr when hidden), so error lines and the bar do not garble each other.
    """
    visible = show and sys.stderr.isatty()
    return tqdm(total=total, initial=initial, desc=desc, unit="film", file=sys.stderr, disable=not visible,
                dynamic_ncols=True, smoothing=0.1)


def write_line(bar: Any, line: str) -> None:
    """Print ``line`` on stderr above ``bar``."""
    bar.write(line, file=sys.stderr)

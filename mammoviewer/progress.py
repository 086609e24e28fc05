"""Progress bars for long command-line work (tqdm on stderr), shown only where someone watches.

A bar is drawn when stderr is a terminal, so a ``--json`` run piped into a file or another program
stays quiet (stdout is never touched either way); ``MAMMOVIEWER_PROGRESS=1`` or ``0`` forces it on or
off. Core functions take plain callbacks (``progress(done, total)``); :func:`callback` makes one.
Qt-free, and imports nothing of the project.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

T = TypeVar("T")


def wanted(stream: IO[str] | None = None) -> bool:
    """True when a bar should be drawn on ``stream`` (default stderr): a terminal, unless the
    environment says otherwise."""
    forced = os.environ.get("MAMMOVIEWER_PROGRESS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or no real stream
        return False


class Bar:
    """One bar (a no-op when not :func:`wanted`); use as a context manager or call :meth:`close`."""

    def __init__(self, total: float | None, desc: str, unit: str = "film", stream: IO[str] | None = None,
                 enabled: bool | None = None, initial: float = 0) -> None:
        stream = sys.stderr if stream is None else stream
        self._bar: Any = None
        if wanted(stream) if enabled is None else enabled:
            from tqdm import tqdm

            # ``initial``: work done before (a resumed run), counted in the bar but not in the rate
            self._bar = tqdm(total=total, desc=desc, unit=unit, file=stream, leave=True, dynamic_ncols=True,
                             initial=initial)

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def update(self, n: float = 1, note: str | None = None) -> None:
        """Advance by ``n``; ``note`` replaces the text after the bar (e.g. the current loss)."""
        if self._bar is not None:
            if note is not None:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.update(n)

    def to(self, done: float, total: float | None = None, note: str | None = None) -> None:
        """Set the bar to ``done`` of ``total`` (for callbacks that report positions, not steps)."""
        if self._bar is None:
            return
        if total is not None and total != self._bar.total:
            self._bar.total = total
        self.update(done - self._bar.n, note)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def track(items: Iterable[T], desc: str, total: int | None = None, unit: str = "film",
          stream: IO[str] | None = None, enabled: bool | None = None) -> Iterator[T]:
    """Iterate ``items`` with a bar."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Bar(total, desc, unit, stream, enabled) as bar:
        for item in items:
            yield item
            bar.update()


def callback(bar: Bar) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback that moves ``bar``."""
    return lambda done, total: bar.to(done, total)


def say(line: str, stream: IO[str] | None = None) -> None:
    """Print ``line`` on stderr (or ``stream``) above any bar being drawn, which then redraws below it."""
    from tqdm import tqdm

    tqdm.write(line, file=sys.stderr if stream is None else stream)

"""The viewer's last-resort exception hook: an error no one caught is shown, not fatal.

``sys.excepthook`` (errors raised in Qt slots and event handlers reach it) and ``threading.excepthook``
are pointed at :func:`install`'s handler, which writes the traceback to stderr for a bug report and
shows one line in the window's banner and status bar; the window stays open. The handler may run on any
thread: the line reaches the window through a queued signal.
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Signal

from mammoviewer.errors import MammoViewerError
from mammoviewer.messages import clean_message


def describe(exc: BaseException) -> str:
    """One line for the user: the project's own errors as they are, others with their type."""
    if isinstance(exc, MammoViewerError):
        return clean_message(exc, limit=400)
    return f"Unexpected error ({type(exc).__name__}: {clean_message(exc)}); the viewer keeps running. " \
           "Details are on the console."


class _Relay(QObject):
    """Carries the line from whichever thread raised to the window's thread."""

    raised = Signal(str)


def install(window) -> Callable[[], None]:
    """Show uncaught errors in ``window`` (its ``show_error`` and status bar); returns the uninstaller."""
    relay = _Relay()
    relay.setParent(window)

    def show(line: str) -> None:
        window.show_error(line)
        window.statusBar().showMessage(line, 15000)

    relay.raised.connect(show)
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook

    def hook(kind, exc, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, exc, tb)
            return
        traceback.print_exception(kind, exc, tb, file=sys.stderr)
        try:
            relay.raised.emit(describe(exc))
        except RuntimeError:  # the window is gone: the console has it
            pass

    def thread_hook(args) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook, threading.excepthook = hook, thread_hook

    def uninstall() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous_hook
        if threading.excepthook is thread_hook:
            threading.excepthook = previous_thread_hook

    return uninstall

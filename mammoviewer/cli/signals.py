"""SIGTERM and SIGHUP end a command the way Ctrl+C does, so ``finally`` blocks (temporary files of an
export, a store's transaction) run instead of being cut off."""

from __future__ import annotations

import signal
import threading


class Terminated(KeyboardInterrupt):
    """The process was asked to stop by a signal; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum, frame) -> None:
    raise Terminated(signum)


def install() -> None:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` (only possible on the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _raise)

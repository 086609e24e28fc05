"""A long-lived child process that decodes images (for the viewer, or anyone who must survive a codec crash).

Native codecs can crash or hang on malformed files; decoding in a child keeps the window
alive. Starting a fresh interpreter per file costs one to two seconds, so the viewer keeps
one decoder process warm and reuses it; it is restarted after a crash or a time-out.
This module imports no Qt: the child only runs :func:`_serve`.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from pathlib import Path

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image
from mammoviewer.messages import clean_message

#: seconds between checks for time-out and cancellation while a decode runs
POLL_S = 0.05
#: a cancelled decode that has run this long is stopped instead of awaited
KILL_AFTER_S = 1.0


def _serve(conn) -> None:  # runs in the child process
    from mammoviewer.io.loader import load_image

    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            reply = ("ok", load_image(path))
        except ImageReadError as exc:
            reply = ("error", exc.problem)
        except BaseException as exc:  # noqa: BLE001 - reported, never raised across the boundary
            reply = ("error", f"unexpected {type(exc).__name__}: {clean_message(exc)}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


class DecoderProcess:
    """One warm decoder child; :meth:`decode` is thread-safe (calls are serialised)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: mp.process.BaseProcess | None = None
        self._conn = None

    def start(self) -> None:
        """Start the child now (it then imports the decoders while the user looks around)."""
        with self._lock:
            self._ensure()

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        self._stop()
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="mammoviewer-decoder")
        self._proc.start()
        child.close()
        self._conn = parent

    def _stop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(2)
        self._proc, self._conn = None, None

    def decode(self, path: str | Path, timeout: float, cancel: threading.Event | None = None) -> Image:
        """Decode ``path`` in the child; ImageReadError on a bad file, a crash or a time-out.

        If ``cancel`` is set while a decode has run for more than ``KILL_AFTER_S``, the child is
        stopped (and restarted on the next call) so a huge file never holds up the next one.
        """
        path = str(path)
        with self._lock:
            self._ensure()
            assert self._conn is not None and self._proc is not None
            try:
                self._conn.send(path)
                started = time.monotonic()
                while not self._conn.poll(POLL_S):
                    elapsed = time.monotonic() - started
                    if elapsed > timeout:
                        self._stop()
                        raise ImageReadError(path, f"decoding took longer than {timeout:g} s; stopped")
                    if cancel is not None and cancel.is_set() and elapsed > KILL_AFTER_S:
                        self._stop()
                        raise ImageReadError(path, "loading cancelled")
                status, payload = self._conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                code = self._proc.exitcode if self._proc is not None else None
                self._stop()
                raise ImageReadError(path, f"the decoder crashed (exit code {code})") from exc
        if status == "ok":
            return payload
        raise ImageReadError(path, payload)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(None)
                except OSError:
                    pass
            if self._proc is not None:
                self._proc.join(1)
            self._stop()


_shared: DecoderProcess | None = None
_shared_lock = threading.Lock()


def shared_decoder() -> DecoderProcess:
    """The process-wide decoder (one warm child for all windows of the application)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = DecoderProcess()
        return _shared


def close_shared_decoder() -> None:
    """Stop the process-wide decoder child, if one was started."""
    with _shared_lock:
        if _shared is not None:
            _shared.close()

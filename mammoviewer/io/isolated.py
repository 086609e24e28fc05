"""Decode a file in a child process with a time limit, so a crashing codec cannot take the caller down."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image


def _child(path: str, conn) -> None:  # runs in the child process
    from mammoviewer.io.loader import load_image

    try:
        conn.send(("ok", load_image(path)))
    except ImageReadError as exc:
        conn.send(("error", exc.problem))
    except BaseException as exc:  # noqa: BLE001 - report, never raise across the process boundary
        conn.send(("error", f"unexpected {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def load_image_isolated(path: str | os.PathLike[str], timeout: float = 60.0) -> Image:
    """Like ``load_image`` but decodes in a spawned child process.

    Raises ``ImageReadError`` if the child reports an error, crashes or runs past ``timeout`` seconds.
    """
    path = str(Path(path))
    ctx = mp.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(path, sender), daemon=True, name="mammoviewer-decode")
    proc.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            if proc.is_alive():
                raise ImageReadError(path, f"decoding took longer than {timeout:g} s; stopped")
            raise ImageReadError(path, f"the decoder crashed (exit code {proc.exitcode})")
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError) as exc:
            proc.join(5)
            raise ImageReadError(path, f"the decoder crashed (exit code {proc.exitcode})") from exc
    finally:
        receiver.close()
        if proc.is_alive():
            proc.join(2)
        if proc.is_alive():
            proc.kill()
            proc.join(2)
    if status == "ok":
        return payload
    raise ImageReadError(path, payload)

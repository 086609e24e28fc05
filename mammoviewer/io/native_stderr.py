"""Catch what native codecs print straight to file descriptor 2 (libpng's "libpng warning: ..."), so it
becomes part of the one-line error instead of noise on the user's terminal."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator


class Captured:
    """The text written to descriptor 2 inside :func:`captured_stderr` (set when the block ends)."""

    text: str = ""

    def lines(self, prefix: str = "") -> list[str]:
        """The captured lines, without ``prefix`` (e.g. ``"libpng "``) where they start with it."""
        out = []
        for line in self.text.splitlines():
            line = line.strip()
            if line:
                out.append(line[len(prefix):] if prefix and line.startswith(prefix) else line)
        return out


@contextlib.contextmanager
def captured_stderr() -> Iterator[Captured]:
    """Point descriptor 2 at a temporary file for the block; what was written is in the yielded object."""
    captured = Captured()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no descriptor 2 (embedded interpreter): nothing to catch
        yield captured
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read(4096).decode("utf-8", "replace")

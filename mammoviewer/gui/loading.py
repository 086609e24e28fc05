"""How the viewer decodes a file: in-process for plain PGM rasters, in a child process
(with a time limit) for everything that goes through a native codec."""

from __future__ import annotations

from pathlib import Path

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image

#: seconds a child-process decode may take before the file is reported as too slow
LOAD_TIMEOUT_S = 60.0
#: formats decoded in-process: pure-numpy parsers, no native codec that could crash
IN_PROCESS_FORMATS = frozenset({"pgm"})


def load_for_display(path: str | Path, timeout: float = LOAD_TIMEOUT_S) -> Image:
    """Decode ``path`` for the viewer; raises ImageReadError naming the file and problem.

    Runs on a worker thread (see ``gui/jobs.py``), never on the UI thread.
    """
    import mammoviewer.io as mio
    from mammoviewer.io.sniff import SNIFF_BYTES, sniff_format

    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise ImageReadError(path, exc.strerror or str(exc)) from exc
    isolated = getattr(mio, "load_image_isolated", None)
    if sniff_format(head) in IN_PROCESS_FORMATS or isolated is None:
        return mio.load_image(path)
    return isolated(path, timeout)

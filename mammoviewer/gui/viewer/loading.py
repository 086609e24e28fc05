"""How the viewer decodes a file: in-process for plain PGM rasters (pure numpy), in the
warm decoder child process (with a time limit) for everything that goes through a native
codec (DICOM, PNG, TIFF)."""

from __future__ import annotations

import threading
from pathlib import Path

from mammoviewer.errors import ImageReadError
from mammoviewer.io.decoder_process import DecoderProcess, shared_decoder
from mammoviewer.io.image import Image

#: seconds a child-process decode may take before the file is reported as too slow
LOAD_TIMEOUT_S = 60.0
#: formats decoded in-process: pure-numpy parsers, no native codec that could crash
IN_PROCESS_FORMATS = frozenset({"pgm"})


class ImageLoader:
    """Callable ``loader(path, cancel=None, progress=None) -> Image`` run on a job thread
    (see ``gui/jobs.py``; ``progress`` is accepted for the job convention and unused)."""

    def __init__(self, timeout: float = LOAD_TIMEOUT_S, decoder: DecoderProcess | None = None) -> None:
        self.timeout = timeout
        self.decoder = decoder if decoder is not None else shared_decoder()

    def __call__(self, path: str | Path, cancel: threading.Event | None = None, progress=None) -> Image:
        from mammoviewer.io import load_image
        from mammoviewer.io.sniff import SNIFF_BYTES, sniff_format

        try:
            with open(path, "rb") as fh:
                head = fh.read(SNIFF_BYTES)
        except OSError as exc:
            raise ImageReadError(path, exc.strerror or str(exc)) from exc
        if sniff_format(head) in IN_PROCESS_FORMATS:
            return load_image(path)
        return self.decoder.decode(path, self.timeout, cancel)

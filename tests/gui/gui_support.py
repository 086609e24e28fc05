"""Helpers shared by the viewer tests (imported by name; conftest.py holds only fixtures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shared_paths import ROOT, SHARED  # noqa: F401  (re-exported for the viewer tests)

#: stamp geometry: 40 rows x 60 columns, value = 1000 + 100 * row + column,
#: with a bright 10 x 30 block in the top-left corner (an asymmetric orientation mark)
STAMP_ROWS, STAMP_COLS = 40, 60
STAMP_BRIGHT = 60000


def stamp_pixels() -> np.ndarray:
    r, c = np.mgrid[0:STAMP_ROWS, 0:STAMP_COLS]
    px = (1000 + 100 * r + c).astype(np.uint16)
    px[:10, :30] = STAMP_BRIGHT
    return px


def write_pgm16(path: Path, pixels: np.ndarray) -> Path:
    rows, cols = pixels.shape
    path.write_bytes(f"P5\n{cols} {rows}\n65535\n".encode() + pixels.astype(">u2").tobytes())
    return path


def mias_film_path() -> Path:
    for candidate in (ROOT / "resources" / "samples" / "mdb023.pgm", SHARED / "mias" / "pgm" / "mdb023.pgm"):
        if candidate.is_file():
            return candidate
    pytest.skip("MIAS film mdb023.pgm is absent (resources/samples or ../shared/data/mias/pgm)")


def wait_loaded(qtbot, window, timeout: int = 30000) -> None:
    """Wait until the window has no load running."""
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=timeout)

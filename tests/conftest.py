"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest


def _write_tiny_mias(folder: Path, size: int = 128) -> Path:
    """10 films (5 patients) of ``size`` px with bright disks as lesions, and their Info.txt (CRLF, y from the bottom)."""
    import cv2
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    rows = ["preamble line", ""]
    for i in range(1, 11):
        img = rng.normal(110, 12, (size, size)).clip(0, 255)
        img[:, : size // 6] = 0
        ref = f"mdb{i:03d}"
        if i % 5 in (1, 2, 3):
            x, y, r = int(rng.integers(40, 90)), int(rng.integers(30, 100)), int(rng.integers(7, 13))
            yy, xx = np.mgrid[0:size, 0:size]
            img[(xx - x) ** 2 + (yy - (size - y)) ** 2 <= r * r] = 230
            rows.append(f"{ref} F CIRC {'M' if i % 2 else 'B'} {x} {y} {r}")
        else:
            rows.append(f"{ref} F NORM ")
        cv2.imwrite(str(folder / f"{ref}.png"), img.astype(np.uint8))
    (folder / "Info.txt").write_text("\r\n".join(rows) + "\r\n")
    return folder


@pytest.fixture
def tiny_mias() -> Callable[..., Path]:
    """Writer of a tiny synthetic MIAS folder: ``tiny_mias(folder, size=128) -> folder``."""
    return _write_tiny_mias


@pytest.fixture
def mias_dir() -> Path:
    """The shared MIAS folder (films and Info.txt); the test is skipped where it is absent."""
    from shared_paths import MIAS

    if not (MIAS / "Info.txt").is_file():
        pytest.skip(f"MIAS data not found at {MIAS}")
    return MIAS


@pytest.fixture(scope="session")
def dask_cluster():
    """A real Dask ``LocalCluster`` on loopback, 2 worker processes, shared by the batch tests.

    Started as ``mammoviewer batch --workers 2`` starts one; its workers die (SIGKILL) on a film
    named ``poison.pgm`` (``MAMMOVIEWER_BATCH_CRASH_ON``), for the tests of dying workers.
    Yields ``(client, threads)``.
    """
    import os

    from mammoviewer.batch import open_cluster
    from mammoviewer.batch.worker import CRASH_ENV

    old = os.environ.get(CRASH_ENV)
    os.environ[CRASH_ENV] = "poison.pgm"  # inherited by the worker processes the nannies start
    try:
        with open_cluster(workers=2) as (client, threads):
            yield client, threads
    finally:
        if old is None:
            os.environ.pop(CRASH_ENV, None)
        else:
            os.environ[CRASH_ENV] = old

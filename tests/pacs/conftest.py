"""Fixtures: a real Orthanc per test module, and one of a test's own (to pause or kill)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orthanc_server import FILM, Orthanc, start_orthanc, two_image_study

@pytest.fixture(scope="module")
def orthanc(tmp_path_factory) -> Iterator[Orthanc]:
    """An Orthanc holding the real film's study and a two-image study."""
    folder = tmp_path_factory.mktemp("orthanc")
    server = start_orthanc(folder / "server")
    try:
        server.upload(FILM)
        server.two_image_study, paths = two_image_study(folder)  # type: ignore[attr-defined]
        for p in paths:
            server.upload(p)
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_orthanc(tmp_path: Path) -> Iterator[Orthanc]:
    """An Orthanc of this test alone (it may be paused or killed), with the two-image study."""
    server = start_orthanc(tmp_path / "server")
    try:
        server.two_image_study, paths = two_image_study(tmp_path)  # type: ignore[attr-defined]
        for p in paths:
            server.upload(p)
        yield server
    finally:
        server.stop()

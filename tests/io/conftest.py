"""Fixtures for files of the shared data folder (skipped when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from loader_paths import SHARED


@pytest.fixture
def shared_dicom():
    """``shared_dicom(name)``: a file of the shared DICOM set, or skip if it is absent."""

    def get(name: str) -> Path:
        path = SHARED / "dicom" / name
        if not path.is_file():
            pytest.skip(f"shared DICOM sample {name} is not available")
        return path

    return get


@pytest.fixture
def shared_mias():
    """``shared_mias(relative)``: a file of the shared MIAS folder, or skip if it is absent."""

    def get(name: str) -> Path:
        path = SHARED / "mias" / name
        if not path.is_file():
            pytest.skip(f"shared MIAS file {name} is not available")
        return path

    return get

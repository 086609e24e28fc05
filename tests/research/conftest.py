"""Shared paths for the research tools' tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MIAS = ROOT / ".." / "shared" / "data" / "mias"
SAMPLES = ROOT / "resources" / "samples"


@pytest.fixture
def mias_dir() -> Path:
    if not (MIAS / "Info.txt").is_file():
        pytest.skip(f"MIAS data not found at {MIAS}")
    return MIAS

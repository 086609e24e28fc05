"""Paths to the loader test files: small ones in tests/data, larger ones in the shared data folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SAMPLES = ROOT / "resources" / "samples"


def _shared_data() -> Path:
    """``shared/data`` beside the project, or beside a folder above it (a checkout in a sub-folder)."""
    for folder in ROOT.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return ROOT / ".." / "shared" / "data"


SHARED = _shared_data()
#: sha256 of the pixels of the reference subsampled CBIS-DDSM film ("S" in the DICOM README)
S_SHA256 = "fb55e17dd6a0a842b99bc2ae4da09813afe4eecaded7f371b3bbf2ad06f8d86b"

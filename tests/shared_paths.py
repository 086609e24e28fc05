"""Where the tests find the project's own files and the shared data beside the project.

The shared folder sits beside the project root, or beside a folder above it (a checkout in a
sub-folder). Imported by name (``from shared_paths import MIAS``): ``tests/`` is on the path.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SAMPLES = ROOT / "resources" / "samples"
MODELS = ROOT / "models"


def _shared() -> Path:
    for folder in ROOT.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared"
    return ROOT.parent / "shared"


#: ``shared/data``: MIAS films (``mias/``) and DICOM samples (``dicom/``)
SHARED = _shared() / "data"
MIAS = SHARED / "mias"
DICOM = SHARED / "dicom"
#: ImageNet-pretrained backbone weights
WEIGHTS = _shared() / "weights"


def needs_shared():
    """A pytest mark skipping a test where the shared data (beside the project) is absent."""
    import pytest

    return pytest.mark.skipif(not (MIAS / "Info.txt").is_file() or not DICOM.is_dir(),
                              reason=f"shared data not found at {SHARED}")

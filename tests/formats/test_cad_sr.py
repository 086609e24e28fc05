"""Mammography CAD SR export: read back by DCMTK's dsrdump (IOD constraints checked) and by pydicom."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest

from mammoviewer.formats.cad_sr import MAMMOGRAPHY_CAD_SR, rectangle
from mammoviewer.formats.dicom_out import export_dicom, known_operating_point
from mammoviewer.review import Box

from .conftest import BUNDLED_CARD, MODEL_VERSION

DSRDUMP = shutil.which("dsrdump")


@pytest.fixture
def needs_dcmtk() -> None:
    """DCMTK must be there (run.sh installs it): these checks are not skipped."""
    assert DSRDUMP is not None, "DCMTK's dsrdump is not installed (apt-get install dcmtk, or ./run.sh test)"


def _export(store, tmp_path: Path, **kw) -> Path:
    s = export_dicom(store, "cad-sr", tmp_path / "sr", **kw)
    assert len(s.paths) == 1 and s.paths[0].name == "rcc.cad-sr.dcm"
    png = tmp_path / "films" / "mdb001.png"
    assert s.skipped == [f"{png}: skipped, not a DICOM image (no cad-sr for PGM/PNG films)"]
    return s.paths[0]


def _dsrdump(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([DSRDUMP, "-Pl", str(path)], capture_output=True, text=True, timeout=30)


@pytest.mark.usefixtures("needs_dcmtk")
def test_cad_sr_reads_in_dsrdump_with_every_model_finding(dicom_store, tmp_path: Path) -> None:
    out = _export(dicom_store, tmp_path)
    r = _dsrdump(out)
    assert r.returncode == 0, r.stderr
    assert not [ln for ln in r.stderr.splitlines() if ln.startswith(("E:", "F:"))], r.stderr
    assert "Mammography CAD SR Document" in r.stdout
    assert r.stdout.count('"Single Image Finding"') == 3  # accepted, rejected and pending: the model said all
    assert r.stdout.count("(111152,DCM,\"Not for Presentation") == 2  # the 0.05 finding, item and impression
    assert '"Certainty of Finding")="90' in r.stdout and '"Algorithm Name")="idbll-light"' in r.stdout


@pytest.mark.usefixtures("needs_dcmtk")
def test_dsrdump_rejects_a_broken_relationship(dicom_store, tmp_path: Path) -> None:
    """The check is real: an IMAGE selected from a TEXT item breaks the IOD's constraints."""
    ds = pydicom.dcmread(_export(dicom_store, tmp_path))
    ds.ContentSequence[1].RelationshipType = "SELECTED FROM"
    bad = tmp_path / "bad.dcm"
    ds.save_as(bad)
    r = _dsrdump(bad)
    assert r.returncode != 0 or "E:" in r.stderr


def test_patient_and_study_copied_new_series_and_model_geometry(dicom_store, tmp_path: Path) -> None:
    image = pydicom.dcmread(tmp_path / "films" / "rcc.dcm", stop_before_pixels=True)
    sr = pydicom.dcmread(_export(dicom_store, tmp_path))
    assert sr.SOPClassUID == MAMMOGRAPHY_CAD_SR and sr.Modality == "SR"
    assert (sr.PatientID, sr.StudyInstanceUID) == (image.PatientID, image.StudyInstanceUID)
    assert sr.SeriesInstanceUID != image.SeriesInstanceUID
    found = sr.ContentSequence[5]
    assert found.ConceptNameCodeSequence[0].CodeValue == "111017"
    first = found.ContentSequence[0].ContentSequence[1]  # impression > single image finding
    outline = next(c for c in first.ContentSequence if c.ValueType == "SCOORD")
    # the box as the model gave it, not as the reader moved it; x = column, y = row, closed
    assert np.allclose(np.reshape(outline.GraphicData, (-1, 2)), rectangle(Box(100, 200, 180, 260)))
    assert outline.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID == image.SOPInstanceUID


def test_operating_point_from_the_card_or_the_caller(dicom_store, tmp_path: Path) -> None:
    assert known_operating_point("idbll-light", MODEL_VERSION) == pytest.approx(BUNDLED_CARD["default_threshold"])
    assert 0.05 < BUNDLED_CARD["default_threshold"] < 0.9  # the store's pending and accepted findings straddle it
    assert known_operating_point("idbll-light", "0.9") is None
    s = export_dicom(dicom_store, "cad-sr", tmp_path / "sr", operating_point=0.95)
    text = pydicom.dcmread(s.paths[0])
    intents = [c.ConceptCodeSequence[0].CodeValue for _, c in _items(text) if c.get("ConceptNameCodeSequence")
               and c.ConceptNameCodeSequence[0].CodeValue == "111056"]  # fmt: skip
    assert intents.count("111152") == 6  # all three findings (item + impression) below 0.95


def _items(ds, path=()):
    for i, item in enumerate(ds.get("ContentSequence") or [], start=1):
        yield path + (i,), item
        yield from _items(item, path + (i,))


@pytest.mark.usefixtures("needs_dcmtk")
def test_a_model_name_longer_than_a_long_string_is_written_whole_in_the_content(tmp_path: Path) -> None:
    """A retrained model's long name: the series description is shortened, the Algorithm Name keeps it all."""
    import shutil as sh

    from mammoviewer.review import Finding, ImageRecord, ReviewStore

    from .conftest import DICOM_FILM

    name = "idbll-light retrained on the reader's own films of the breast clinic, second run"
    dcm = tmp_path / "rcc.dcm"
    sh.copy(DICOM_FILM, dcm)
    with ReviewStore.open(tmp_path / "s.mvstore") as s:
        s.add_image(ImageRecord(key=str(dcm), width=648, height=1172, review_state="reviewed"))
        s.record_model_findings(str(dcm), name, "1.4+ft", [Finding(image_key=str(dcm), box=Box(100, 200, 180, 260),
                                                                   label="malignant", score=0.9)], threshold=0.02)
        summary = export_dicom(s, "cad-sr", tmp_path / "sr")
    assert summary.failed == [] and len(summary.paths) == 1
    ds = pydicom.dcmread(summary.paths[0])
    assert len(ds.SeriesDescription) == 64 and ds.SeriesDescription.endswith("...")
    r = _dsrdump(summary.paths[0])
    assert r.returncode == 0 and '"Algorithm Name")="idbll-light retrained' in r.stdout, r.stderr

    def texts(items) -> list[str]:
        return [v for it in items for v in [str(getattr(it, "TextValue", ""))] + texts(getattr(it, "ContentSequence", []))]

    assert name in texts(ds.ContentSequence)  # whole in the content, however dsrdump shortens it on screen

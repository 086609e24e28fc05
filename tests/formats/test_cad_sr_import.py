"""CAD SR back into a store: ours (round trip) and a foreign TID 4000 SR with other SCOORD shapes."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset

from mammoviewer.cli import main
from mammoviewer.errors import ExportError
from mammoviewer.formats.cad_sr_import import import_cad_sr
from mammoviewer.formats.dicom_out import export_dicom
from mammoviewer.review import ReviewStore

from .conftest import DICOM_FILM, MODEL_VERSION


def test_our_report_round_trips_as_pending_model_findings(dicom_store, tmp_path: Path) -> None:
    sr = export_dicom(dicom_store, "cad-sr", tmp_path / "sr")
    with ReviewStore.open(tmp_path / "back.mvstore") as back:
        s = import_cad_sr(back, tmp_path / "sr", tmp_path / "films")
        assert (s.images, s.findings, s.missing) == (1, 3, [])
        got = sorted(back.findings(), key=lambda f: -f.score)
        key = str(tmp_path / "films" / "rcc.dcm")
        assert back.image(key).width == 648 and back.image(key).height == 1172
        assert [(f.box.as_tuple(), f.label, f.finding_type, round(f.score, 4)) for f in got] == [
            ((100, 200, 180, 260), "malignant", "mass", 0.9),
            ((300, 500, 340, 530), "benign", "calcification", 0.4),
            ((50, 900, 90, 950), "benign", None, 0.05),
        ]
        assert {(f.source, f.status, f.model_name, f.model_version) for f in got} == {
            ("model", "pending", "idbll-light", MODEL_VERSION)}
        assert [f.attributes["for_presentation"] for f in got] == [True, True, False]
        assert back.model_runs(key)[0]["model_name"] == "idbll-light"
    assert sr.paths


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    c = Dataset()
    c.CodeValue, c.CodingSchemeDesignator, c.CodeMeaning = value, scheme, meaning
    return c


def _item(vtype: str, rel: str | None, name: tuple[str, str, str] | None, **kw) -> Dataset:
    it = Dataset()
    it.ValueType = vtype
    if rel:
        it.RelationshipType = rel
    if name:
        it.ConceptNameCodeSequence = [_code(*name)]
    for k, v in kw.items():
        setattr(it, k, v)
    return it


def foreign_sr(image: Dataset) -> Dataset:
    """A vendor-style TID 4000 report: the finding's outline is an ELLIPSE selected by reference
    from the Image Library entry, its centre a POINT, a Probability of cancer and no Pathology."""
    ref = Dataset()
    ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = image.SOPClassUID, image.SOPInstanceUID
    entry = _item("IMAGE", "CONTAINS", None, ReferencedSOPSequence=[ref])
    library = _item("CONTAINER", "CONTAINS", ("111028", "DCM", "Image Library"), ContinuityOfContent="SEPARATE",
                    ContentSequence=[entry])  # fmt: skip
    by_ref = Dataset()
    by_ref.RelationshipType, by_ref.ReferencedContentItemIdentifier = "SELECTED FROM", [1, 2, 1]
    ellipse = _item("SCOORD", "HAS PROPERTIES", ("111041", "DCM", "Outline"), GraphicType="ELLIPSE",
                    GraphicData=[200.0, 300.0, 260.0, 300.0, 230.0, 280.0, 230.0, 320.0],
                    ContentSequence=[by_ref])  # fmt: skip
    centre = _item("SCOORD", "HAS PROPERTIES", ("111010", "DCM", "Center"), GraphicType="POINT",
                   GraphicData=[230.0, 300.0], ContentSequence=[by_ref])  # fmt: skip
    mv = Dataset()
    mv.NumericValue = "72"
    mv.MeasurementUnitsCodeSequence = [_code("%", "UCUM", "Percent")]
    cancer = _item("NUM", "HAS PROPERTIES", ("111047", "DCM", "Probability of cancer"), MeasuredValueSequence=[mv])
    finding = _item("CODE", "CONTAINS", ("111059", "DCM", "Single Image Finding"),
                    ConceptCodeSequence=[_code("129769006", "SCT", "Calcification Cluster")],
                    ContentSequence=[cancer, centre, ellipse])  # fmt: skip
    lone = _item("CODE", "CONTAINS", ("111059", "DCM", "Single Image Finding"),
                 ConceptCodeSequence=[_code("4147007", "SCT", "Mass")], ContentSequence=[centre])  # fmt: skip
    summary = _item("CODE", "CONTAINS", ("111017", "DCM", "CAD Processing and Findings Summary"),
                    ConceptCodeSequence=[_code("111242", "DCM", "All algorithms succeeded; with findings")],
                    ContentSequence=[finding, lone])  # fmt: skip
    observer = _item("TEXT", "HAS OBS CONTEXT", ("121013", "DCM", "Device Observer Name"), TextValue="VendorCAD 7")
    ds = Dataset()
    ds.file_meta = Dataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.50"
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.SOPClassUID, ds.Modality, ds.Manufacturer = "1.2.840.10008.5.1.4.1.1.88.50", "SR", "Vendor"
    ds.ValueType, ds.ContinuityOfContent = "CONTAINER", "SEPARATE"
    ds.ConceptNameCodeSequence = [_code("111036", "DCM", "Mammography CAD Report")]
    ds.ContentSequence = [observer, library, summary]
    return ds


def test_a_foreign_tid4000_report(tmp_path: Path) -> None:
    films = tmp_path / "films"
    films.mkdir()
    shutil.copy(DICOM_FILM, films / "rcc.dcm")
    image = pydicom.dcmread(films / "rcc.dcm", stop_before_pixels=True)
    foreign_sr(image).save_as(tmp_path / "vendor.dcm", enforce_file_format=True)
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        s = import_cad_sr(store, tmp_path / "vendor.dcm", films)
        assert (s.images, s.findings, s.unlocated) == (1, 1, 1)  # the lone centre point has no extent
        (f,) = store.findings()
        assert np.allclose(f.box.as_tuple(), (200, 280, 260, 320))
        assert (f.label, f.finding_type, f.score) == ("malignant", "calcification", pytest.approx(0.72))
        assert (f.model_name, f.model_version, f.source, f.status) == ("VendorCAD 7", "unknown", "model", "pending")


def test_cli_export_then_import_and_one_line_errors(dicom_store, tmp_path: Path, capsys) -> None:
    store = str(dicom_store.path)
    assert main(["export", "--store", store, "--format", "cad-sr", "--out", str(tmp_path / "sr")]) == 0
    out = capsys.readouterr()
    assert "wrote 1 cad-sr objects (3 findings)" in out.out
    png = tmp_path / "films" / "mdb001.png"
    assert out.err.strip() == f"mammoviewer: {png}: skipped, not a DICOM image (no cad-sr for PGM/PNG films)"
    back = str(tmp_path / "back.mvstore")
    assert main(["import", "--store", back, "--format", "cad-sr", "--info", str(tmp_path / "sr"),
                 "--images", str(tmp_path / "films")]) == 0  # fmt: skip
    assert "imported 1 images, 3 findings" in capsys.readouterr().out
    assert main(["import", "--store", back, "--format", "cad-sr", "--info", str(DICOM_FILM),
                 "--images", str(tmp_path / "films")]) == 2  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a DICOM SR document" in err[0] and str(DICOM_FILM) in err[0]


def test_missing_folders_are_export_errors(tmp_path: Path) -> None:
    with ReviewStore.open(tmp_path / "s.mvstore") as store, pytest.raises(ExportError, match="no such file"):
        import_cad_sr(store, tmp_path / "nowhere", tmp_path)

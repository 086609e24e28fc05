"""GSPS export: the reader's truth as rectangles and labelled text on the referenced image."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom

from mammoviewer.formats.dicom_out import export_dicom, gsps_findings
from mammoviewer.formats.gsps import GSPS

from .conftest import MODEL_VERSION


def _drawn(path: Path) -> dict[str, list[tuple[float, ...]]]:
    """Layer -> [(x0, y0, x1, y1) of each rectangle]; also checks each has its text."""
    ds = pydicom.dcmread(path)
    out: dict[str, list[tuple[float, ...]]] = {}
    for ann in ds.GraphicAnnotationSequence:
        boxes = []
        for g in ann.GraphicObjectSequence:
            pts = np.reshape(g.GraphicData, (-1, 2))
            assert g.GraphicType == "POLYLINE" and len(pts) == 5 and np.array_equal(pts[0], pts[-1])
            boxes.append((*pts.min(axis=0), *pts.max(axis=0)))
        assert len(ann.TextObjectSequence) == len(boxes)
        out[ann.GraphicLayer] = sorted(boxes)
    return out


def test_gsps_draws_the_readers_truth_on_the_image(dicom_store, tmp_path: Path) -> None:
    s = export_dicom(dicom_store, "gsps", tmp_path / "pr")
    assert [p.name for p in s.paths] == ["rcc.gsps.dcm"] and len(s.skipped) == 1
    ds = pydicom.dcmread(s.paths[0])
    image = pydicom.dcmread(tmp_path / "films" / "rcc.dcm", stop_before_pixels=True)
    assert ds.SOPClassUID == GSPS and ds.Modality == "PR"
    assert (ds.PatientID, ds.StudyInstanceUID) == (image.PatientID, image.StudyInstanceUID)
    ref = ds.ReferencedSeriesSequence[0].ReferencedImageSequence[0]
    assert ref.ReferencedSOPInstanceUID == image.SOPInstanceUID
    # accepted model finding where the reader moved it, the imported one; the reader's asymmetry;
    # not the rejected one, not the pending one
    assert _drawn(s.paths[0]) == {"MALIGNANT": [(10, 1100, 40, 1150), (110, 210, 190, 270)],
                                  "BENIGN": [(400, 20, 460, 80)]}  # fmt: skip
    texts = sorted(t.UnformattedTextValue for a in ds.GraphicAnnotationSequence for t in a.TextObjectSequence)
    assert texts == ["benign asymmetry (reader)", "malignant (import)", f"malignant mass 0.90 idbll-light {MODEL_VERSION}"]


def test_include_pending_adds_the_pending_model_finding(dicom_store, tmp_path: Path) -> None:
    s = export_dicom(dicom_store, "gsps", tmp_path / "pr", include_pending=True)
    assert _drawn(s.paths[0])["BENIGN"] == [(50, 900, 90, 950), (400, 20, 460, 80)]
    assert s.findings == 4


def test_truth_rule_never_draws_rejected(dicom_store) -> None:
    stored = dicom_store.findings()
    for pending in (False, True):
        kept = gsps_findings(stored, pending)
        assert all(f.status != "rejected" for f in kept)
        assert any(f.status == "pending" and f.source == "model" for f in kept) is pending


def test_dcmdump_reads_the_presentation_state(dicom_store, tmp_path: Path) -> None:
    exe = shutil.which("dcmdump")
    assert exe, "DCMTK's dcmdump is not installed (apt-get install dcmtk, or ./run.sh test)"
    s = export_dicom(dicom_store, "gsps", tmp_path / "pr")
    r = subprocess.run([exe, str(s.paths[0])], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "GraphicAnnotationSequence" in r.stdout, r.stderr


def test_the_images_own_windows_are_kept() -> None:
    """A GE For Presentation header with three windows: the presentation state carries them."""
    from mammoviewer.formats.dicom_source import read_header
    from mammoviewer.formats.gsps import build_gsps

    path = Path(__file__).resolve().parents[1] / "data" / "mg_ge_seno_lcc_for_presentation_hdr.dcm"
    image = read_header(path)
    ds = build_gsps(image, [], pydicom.uid.generate_uid())
    (voi,) = ds.SoftcopyVOILUTSequence
    assert [float(c) for c in voi.WindowCenter] == [2262, 2286, 2262]
    assert [float(w) for w in voi.WindowWidth] == [380, 380, 500] and voi.VOILUTFunction == "SIGMOID"
    assert "GraphicAnnotationSequence" not in ds  # nothing to draw, still a valid state for the image


def _copy_as(src: Path, dst: Path, modality: str, body_part: str = "CHEST") -> Path:
    ds = pydicom.dcmread(src)
    ds.Modality, ds.BodyPartExamined = modality, body_part
    ds.SOPInstanceUID = pydicom.uid.generate_uid()
    ds.save_as(dst)
    return dst


def test_only_reviewed_mammograms_and_each_film_once(dicom_store, tmp_path: Path) -> None:
    import pytest

    from mammoviewer.errors import ExportError
    from mammoviewer.review import Box, Finding, FindingChange, ImageRecord

    films = tmp_path / "films"
    ct = _copy_as(films / "rcc.dcm", films / "ct.dcm", "CT")  # a CT (same pixels: its own header says what it is)
    dicom_store.add_image(ImageRecord(key=str(ct), width=648, height=1172, review_state="reviewed",
                                      content_hash="px1:ct"))  # fmt: skip
    dicom_store.apply(FindingChange("add", None, Finding(image_key=str(ct), box=Box(1, 1, 9, 9), label="benign")))
    later = shutil.copy(films / "rcc.dcm", films / "later.dcm")
    dicom_store.add_image(ImageRecord(key=str(later), width=648, height=1172))  # not reviewed yet
    for fmt in ("gsps", "cad-sr"):
        s = export_dicom(dicom_store, fmt, tmp_path / fmt)
        assert "rcc" in " ".join(p.name for p in s.paths) and not any("ct" == p.name[:2] for p in s.paths)
        assert any(line.startswith(f"{ct}: skipped, Modality CT, not a mammogram") for line in s.skipped), s.skipped
    gsps = export_dicom(dicom_store, "gsps", tmp_path / "g2")
    assert f"{later}: skipped, not marked reviewed" in gsps.skipped
    # the copy, once reviewed, is the same film as rcc.dcm (same pixels): the export refuses, naming both
    dicom_store.set_review_state(str(later), "reviewed")
    with pytest.raises(ExportError, match=r"later\.dcm and .*rcc\.dcm are the same film"):
        export_dicom(dicom_store, "gsps", tmp_path / "g3")
    assert not (tmp_path / "g3").exists()

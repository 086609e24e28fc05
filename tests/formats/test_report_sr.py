"""The study report as a Comprehensive SR (TID 4200): its tree, codes and study for films without DICOM."""

from __future__ import annotations

import pydicom

from mammoviewer.formats.dicom_source import read_header
from mammoviewer.formats.dicom_codes import FINDING_CODES
from mammoviewer.formats.report_sr import CATEGORY_CODES, COMPOSITION_CODES, build_report_sr
from mammoviewer.review.records import Box
from mammoviewer.review.report import BIRADS, ReportFinding, StudyReport
from shared_paths import DATA

FILM = DATA / "mg_cbis_rcc_small_jpegls_ll.dcm"


def _items(ds, out=None):
    out = [] if out is None else out
    for item in ds.get("ContentSequence", []):
        name = item.ConceptNameCodeSequence[0].CodeMeaning
        value = (item.ConceptCodeSequence[0].CodeValue if item.ValueType == "CODE"
                 else str(item.get("TextValue", item.get("MeasuredValueSequence", [{}])[0].get("NumericValue", ""))
                          if item.ValueType in ("TEXT", "NUM") else item.ValueType))  # fmt: skip
        out.append((name, value))
        _items(item, out)
    return out


def test_tree_follows_tid_4200():
    header = read_header(FILM)
    f = ReportFinding(id="a", laterality="R", views=("CC",), quadrant="outer", depth="middle", nipple_mm=40.0,
                      size_mm=12.0, finding_type="calcification", label="benign", note="amorphous",
                      finding_ids=("f1",), image_keys=("k",))
    report = StudyReport(study="s", composition="b", findings=(f,), right=3, left=2)
    sr = build_report_sr(report, "narrative", "dr reader", {"k": header}, {"f1": Box(10, 10, 50, 40)}, "1.2.3")
    assert sr.StudyInstanceUID == header.StudyInstanceUID and sr.PatientID == header.PatientID
    assert sr.ConceptNameCodeSequence[0].CodeValue == "111400"
    items = _items(sr)
    assert ("Breast composition", COMPOSITION_CODES["b"].value) in items
    assert ("Finding", FINDING_CODES["calcification"].value) in items
    assert ("Depth", "middle") in items and ("Comment", "amorphous") in items
    assert [float(v) for n, v in items if n in ("Distance from nipple", "Diameter")] == [40.0, 12.0]
    assert [v for n, v in items if n == "Assessment Category"] == [CATEGORY_CODES[3].value, CATEGORY_CODES[2].value,
                                                                   CATEGORY_CODES[3].value]  # right, left, overall
    assert sum(1 for n, _ in items if n == "Outline") == 1
    assert sr.CurrentRequestedProcedureEvidenceSequence[0].StudyInstanceUID == header.StudyInstanceUID


def test_films_without_dicom_get_a_study_of_their_own():
    report = StudyReport(study="mdb001+mdb002", patient="mias-001", right=1, left=1)
    one = build_report_sr(report, "", "r", {}, {}, "1.2.3")
    two = build_report_sr(report, "", "r", {}, {}, "1.2.4")
    assert one.PatientID == "mias-001" and one.StudyInstanceUID == two.StudyInstanceUID  # derived from the key
    assert "CurrentRequestedProcedureEvidenceSequence" not in one
    assert pydicom.uid.UID(one.SOPClassUID).name == "Comprehensive SR Storage"


def test_every_category_has_a_code():
    assert sorted(CATEGORY_CODES) == sorted(BIRADS) and all(len(c.meaning) <= 64 for c in CATEGORY_CODES.values())

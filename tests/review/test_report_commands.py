"""Reports in a real SQLite store: round trip, undo/redo, audit log, conflicts, old stores."""

from __future__ import annotations

import sqlite3

import pytest

from mammoviewer.errors import StoreError
from mammoviewer.review.commands import CommandStack
from mammoviewer.review.report import ReportFinding, StudyReport
from mammoviewer.review.report_commands import EditFinding, EditReport, RemoveFinding, ReportDocument
from mammoviewer.review.report_table import ReportTable
from mammoviewer.review.store import ReviewStore


def _prefilled() -> StudyReport:
    f = ReportFinding(id="a", laterality="L", views=("MLO",), quadrant="upper", depth="posterior",
                      nipple_mm=61.0, size_mm=8.0, finding_type="calcification", label="benign")
    return StudyReport(study="mdb001+mdb002", patient="mias-001", findings=(f,))


def test_store_round_trip_with_undo_and_redo(tmp_path):
    path = tmp_path / "s.mvreview"
    with ReviewStore.open(path) as store:
        doc = ReportDocument.open(store, _prefilled())
        stack = CommandStack(doc)  # type: ignore[arg-type]
        stack.push(EditReport({"right": 1, "left": 4, "composition": "G"}, "set assessment"))
        stack.push(EditFinding("a", {"note": "new cluster"}))
        stack.push(EditReport({"text": "Biopsy advised."}, "set text"))
        assert ReportTable(store).report("mdb001+mdb002").text == "Biopsy advised."
        assert stack.undo() and ReportTable(store).report("mdb001+mdb002").text == ""
        assert stack.undo() and ReportTable(store).report("mdb001+mdb002").findings[0].note == ""
        assert stack.redo()
    with ReviewStore.open(path) as store:  # what the reader saw is what is on disk
        table = ReportTable(store)
        saved = table.report("mdb001+mdb002")
        assert (saved.right, saved.left, saved.composition, saved.overall_or_derived) == (1, 4, "G", 4)
        assert saved.findings[0].note == "new cluster" and saved.text == ""
        actions = [e["action"] for e in table.report_edits("mdb001+mdb002")]
        assert actions == ["start report", "set assessment", "edit report finding", "set text", "undo set text",
                           "undo edit report finding", "redo edit report finding"]
        assert [r.study for r in table.reports()] == ["mdb001+mdb002"]


def test_reopening_keeps_the_stored_report_not_the_prefill(tmp_path):
    with ReviewStore.open(tmp_path / "s.mvreview") as store:
        doc = ReportDocument.open(store, _prefilled())
        CommandStack(doc).push(RemoveFinding("a"))  # type: ignore[arg-type]
        again = ReportDocument.open(store, _prefilled())
        assert again.report.findings == ()


def test_an_edit_made_elsewhere_is_not_overwritten(tmp_path):
    path = tmp_path / "s.mvreview"
    with ReviewStore.open(path) as one, ReviewStore.open(path) as two:
        a, b = ReportDocument.open(one, _prefilled()), ReportDocument.open(two, _prefilled())
        CommandStack(a).push(EditReport({"right": 2}))  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="changed elsewhere"):
            CommandStack(b).push(EditReport({"right": 5}))  # type: ignore[arg-type]
        assert ReportTable(two).report("mdb001+mdb002").right == 2


def test_a_schema_2_store_reads_as_without_reports_and_is_migrated_for_writing(tmp_path):
    path = tmp_path / "s.mvreview"
    ReviewStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE reports")
    conn.execute("DROP TABLE report_edits")
    conn.execute("UPDATE schema_version SET version = 2")
    conn.commit()
    conn.close()
    with ReviewStore.open(path, read_only=True) as store:
        assert store.schema_version == 2
        assert ReportTable(store).report("x") is None and ReportTable(store).reports() == []
        with pytest.raises(StoreError, match="read-only"):
            ReportTable(store).save_report("start report", None, _prefilled())
    with ReviewStore.open(path) as store:
        assert store.schema_version == 3
        ReportTable(store).save_report("start report", None, _prefilled())
        assert ReportTable(store).report("mdb001+mdb002") == _prefilled()

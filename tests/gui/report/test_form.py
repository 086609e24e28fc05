"""The report form on a real store: keyboard edits become undoable, stored report edits."""

from __future__ import annotations

from PySide6.QtCore import Qt

from mammoviewer.gui.report.form import ReportForm
from mammoviewer.review.commands import CommandStack
from mammoviewer.review.report import ReportFinding, StudyReport
from mammoviewer.review.report_commands import ReportDocument
from mammoviewer.review.report_table import ReportTable
from mammoviewer.review.store import ReviewStore


def _report() -> StudyReport:
    f = ReportFinding(id="f1", laterality="R", views=("CC", "MLO"), clock=10, quadrant="upper outer",
                      depth="middle", nipple_mm=42.0, size_mm=11.0, finding_type="mass", label="malignant")
    return StudyReport(study="S1", patient="P1", composition="G", composition_source="model", findings=(f,))


def test_keyboard_edits_are_stored_and_undone(qtbot, tmp_path):
    store = ReviewStore.open(tmp_path / "s.mvreview")
    doc = ReportDocument.open(store, _report())
    form = ReportForm()
    qtbot.addWidget(form)
    form.set_document(doc, CommandStack(doc))  # type: ignore[arg-type]
    form.show()
    assert form.composition.currentText().startswith("G  ") and "density model" in form.source.text()
    assert form.table.rowCount() == 1 and "10 o'clock" in form.table.item(0, 1).text()
    assert form.table.item(0, 2).text() == "11 mm"
    # right breast BI-RADS 5 picked from the keyboard: focus the box and type the digit
    form.assess["R"].setFocus()
    qtbot.keyClicks(form.assess["R"], "5")
    assert ReportTable(store).report("S1").right == 5
    assert form.advice["overall"].text().startswith("5 (most worrying breast): Tissue diagnosis")
    form.composition.setCurrentIndex(3)  # "c", as the reader picks it
    stored = ReportTable(store).report("S1")
    assert (stored.composition, stored.composition_source) == ("c", "reader")
    form.table.item(0, 4).setText("spiculated margin")
    assert ReportTable(store).report("S1").findings[0].note == "spiculated margin"
    form.comments.setFocus()
    qtbot.keyClicks(form.comments, "Biopsy advised.")
    qtbot.keyClick(form.comments, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert ReportTable(store).report("S1").text == "Biopsy advised."
    form.table.setFocus()
    form.table.setCurrentCell(0, 1)
    qtbot.keyClick(form.table, Qt.Key.Key_Delete)
    assert ReportTable(store).report("S1").findings == () and form.table.rowCount() == 0
    from PySide6.QtGui import QShortcut

    keys = {sc.key().toString(): sc for sc in form.findChildren(QShortcut)}
    assert set(keys) == {"Ctrl+Alt+Z", "Ctrl+Alt+Y", "Ctrl+Shift+E"}
    keys["Ctrl+Alt+Z"].activated.emit()  # offscreen windows get no keyboard focus for shortcuts
    assert ReportTable(store).report("S1").findings[0].note == "spiculated margin" and form.table.rowCount() == 1
    for _ in range(4):
        form.undo()
    assert ReportTable(store).report("S1") == _report()
    assert form.composition.currentText().startswith("G  ") and form.assess["R"].currentIndex() == 0
    form.redo()
    assert ReportTable(store).report("S1").right == 5
    store.close()


def test_a_refused_edit_is_reported_and_the_form_shows_the_store(qtbot, tmp_path):
    path = tmp_path / "s.mvreview"
    store, other = ReviewStore.open(path), ReviewStore.open(path)
    doc = ReportDocument.open(store, _report())
    form = ReportForm()
    qtbot.addWidget(form)
    form.set_document(doc, CommandStack(doc))  # type: ignore[arg-type]
    ReportTable(other).save_report("elsewhere", _report(), _report().replace(left=2))
    errors = []
    form.failed.connect(errors.append)
    form.assess["R"].setCurrentIndex(2)
    assert errors and "changed elsewhere" in errors[0]
    assert form.assess["R"].currentIndex() == 0
    store.close()
    other.close()

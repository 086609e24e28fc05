"""The findings panel: sorted by score, counts above threshold, slider and spin box in step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from mammoviewer.review import Box, Finding


def _f(score, label="benign", source="model", status="pending") -> Finding:
    return Finding(image_key="/f.pgm", box=Box(0, 0, 10, 10), label=label, score=score, source=source,
                   status=status)


@pytest.fixture
def panel(app, qtbot):
    from mammoviewer.gui.review.panel import FindingsPanel

    p = FindingsPanel()
    qtbot.addWidget(p)
    p.show()
    return p


def test_rows_sorted_by_score_and_filtered_by_threshold(panel):
    a, b, c = _f(0.4), _f(0.9, "malignant"), _f(0.1)
    reader = _f(None, source="reader")
    panel.set_threshold(0.3)
    panel.set_findings([a, b, c, reader])
    assert panel.visible_ids() == [b.id, a.id, reader.id]
    accepted_low = _f(0.05, status="accepted")  # a decision of the reader shows at any threshold
    panel.set_findings([a, b, c, reader, accepted_low])
    assert accepted_low.id in panel.visible_ids()
    panel.set_findings([a, b, c, reader])
    assert [panel.table.item(r, 1).text() for r in range(panel.table.rowCount())] == ["0.90", "0.40", "\u2014"]
    assert panel.count_label.text().startswith("3 findings \u2265 0.3: 1 malignant, 2 benign")
    assert "1 below threshold" in panel.count_label.text()


def test_slider_spin_box_and_signal_stay_in_step(panel, qtbot):
    seen = []
    panel.thresholdChanged.connect(seen.append)
    panel.slider.setValue(650)  # 0.001 per slider step
    assert panel.spin.value() == pytest.approx(0.65) and panel.threshold == pytest.approx(0.65)
    panel.spin.setValue(0.2)
    assert panel.slider.value() == 200
    panel.slider.setFocus()
    QTest.keyClick(panel.slider, Qt.Key.Key_Right)  # keyboard: one fine step
    assert panel.threshold == pytest.approx(0.201)
    assert seen == pytest.approx([0.65, 0.2, 0.201])
    panel.set_threshold(1.7)
    assert panel.threshold == 1.0


def test_selection_and_edit_controls_ask_for_edits(panel, qtbot):
    a, b = _f(0.4), _f(0.9, "malignant")
    panel.set_threshold(0.3)
    panel.set_findings([a, b])
    assert not panel.edit_box.isEnabled()
    with qtbot.waitSignal(panel.findingSelected) as sel:
        panel.table.selectRow(1)
    assert sel.args == [a.id] and panel.edit_box.isEnabled()
    asked = []
    panel.statusRequested.connect(lambda s: asked.append(("status", s)))
    panel.typeRequested.connect(lambda t: asked.append(("type", t)))
    panel.noteRequested.connect(lambda fid, n: asked.append(("note", fid == a.id, n)))
    panel.reject_button.click()
    panel.type_combo.activated.emit(2)
    panel.note_edit.setFocus()
    QTest.keyClicks(panel.note_edit, "dense tissue")
    panel.table.selectRow(0)  # another finding is picked before the note is confirmed
    panel.note_edit.editingFinished.emit()
    assert asked == [("status", "rejected"), ("type", "calcification"), ("note", True, "dense tissue")]

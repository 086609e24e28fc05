"""The locate tool in a real window with the REAL bundled model on a real MIAS film: L, a click on the
lesion, a proposal appears selected; Tab, A, Esc and undo act on it through the film's command stack."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtTest import QTest
from qt_events import send_mouse
from review_fakes import device_pos

from mammoviewer.gui.review.locate_tool import NOTE
from mammoviewer.review import ReviewStore

ROOT = Path(__file__).resolve().parents[3]
MODEL = ROOT / "models" / "idbll-light" / "model.keras"
SAMPLE = ROOT / "resources" / "samples" / "mdb023.pgm"
pytestmark = pytest.mark.skipif(not (MODEL.is_file() and SAMPLE.is_file()), reason="bundled model or sample missing")
# mdb023: malignant CIRC at MIAS x=538, y=681 (from the bottom), r=29 -> centre column 538, row 343
CX, CY, R = 538.0, 343.0, 29.0


@pytest.fixture
def review(window, tmp_path, qtbot):
    from mammoviewer.gui.app import attach_review

    r = attach_review(window, store=tmp_path / "review.sqlite", model=MODEL, device="cpu")
    r.set_background_detection(False)
    window.activateWindow()  # keys go to the active window (under a real X server too)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(r.findingsShown, timeout=60000):
        window.open_path(SAMPLE)
    yield r
    r.close()


def stored(review) -> list:
    with ReviewStore.open(review.session.path, read_only=True) as store:
        return [f for f in store.findings(review.key)]


def click(qtbot, window, review, column: float, row: float) -> str:
    tool = review.locate_tool
    QTest.keyClick(window, Qt.Key.Key_L)
    assert tool.armed
    assert review.status.text == "Locate \u00b7 click on the lesion \u00b7 Esc cancel"  # the mode and its keys
    view = window.image_view
    vp = view.graphics.viewport()
    pos = device_pos(view, column, row)
    with qtbot.waitSignal(tool.proposalShown, timeout=20000) as shown:
        send_mouse(vp, QEvent.Type.MouseMove, pos)
        send_mouse(vp, QEvent.Type.MouseButtonPress, pos, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton)
        send_mouse(vp, QEvent.Type.MouseButtonRelease, pos, Qt.MouseButton.LeftButton)
    return shown.args[0]


def test_click_proposes_the_lesion_selected_undo_removes_it_tab_cycles_esc_drops_a_keeps(qtbot, window, review):
    before = {f.id: f for f in stored(review)}
    fid = click(qtbot, window, review, CX + 10, CY - 5)
    assert review.selected_id == fid and review.panel.table.rowCount() >= 1
    f = review.film.doc.finding(fid)
    assert (f.source, f.status, f.note) == ("reader", "pending", NOTE)
    assert f.model_name == "idbll-light" and f.attributes["locate_model"].startswith("idbll-light ")
    assert f.attributes["located_from"] == pytest.approx([CX + 10, CY - 5], abs=1.0)
    assert ((f.box.x0 + f.box.x1) / 2 - CX) ** 2 + ((f.box.y0 + f.box.y1) / 2 - CY) ** 2 <= R * R
    assert fid in {g.id for g in stored(review)} and fid in review.overlay.shown_ids()  # saved at once
    assert review.actions["undo"].text() == "Undo locate"
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert {g.id: g for g in stored(review)} == before  # the store is exactly as before the click
    assert fid not in {g.id for g in review.findings()} and review.selected_id is None
    assert fid not in review.overlay.shown_ids()

    # Tab cycles in one undo step, Esc drops, A keeps (one test: the model loads and detects once)
    tool = review.locate_tool
    first = click(qtbot, window, review, CX, CY)
    assert len(tool.proposals) >= 2
    box0 = review.film.doc.finding(first).box
    n = len(tool.proposals)
    assert review.status.text == f"Locate \u00b7 proposal 1 of {n} \u00b7 Tab next \u00b7 A keep \u00b7 Esc drop"
    QTest.keyClick(window, Qt.Key.Key_Tab)
    assert review.status.text.startswith(f"Locate \u00b7 proposal 2 of {n}")
    second = review.selected_id
    assert second != first and first not in {f.id for f in review.findings()}
    assert review.film.doc.finding(second).box != box0 and review.film.doc.finding(second).attributes["proposal"] == 2
    assert review.actions["undo"].text() == "Undo next proposal"
    QTest.keyClick(window, Qt.Key.Key_Escape)  # drops the proposal: everything since the click is undone
    assert {g.id: g for g in stored(review)} == before and tool.current_id is None
    assert review.status.text == ""  # out of the mode
    third = click(qtbot, window, review, CX, CY)
    QTest.keyClick(window, Qt.Key.Key_A)  # keep it
    assert review.film.doc.finding(third).status == "accepted" and review.status.text == ""
    QTest.keyClick(window, Qt.Key.Key_Escape)  # nothing pending: Esc leaves the kept finding alone
    kept = {g.id: g for g in stored(review)}
    assert kept[third].status == "accepted" and kept[third].source == "reader" and kept[third].note == NOTE

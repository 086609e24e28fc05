"""The status bar says which mouse mode is on and its keys (draw, locate, a located proposal)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from review_fakes import review_on_film_a

from mammoviewer.gui.review.mode_status import mode_text


def test_mode_text_names_the_mode_and_its_keys():
    assert mode_text(False, None) == ""
    assert mode_text(True, None) == "Draw (X) \u00b7 drag a box on the film \u00b7 Esc stop"
    assert mode_text(True, ("armed", 0, 0)).startswith("Locate \u00b7 click on the lesion")
    assert mode_text(False, ("proposal", 1, 3)) == "Locate \u00b7 proposal 1 of 3 \u00b7 Tab next \u00b7 A keep \u00b7 Esc drop"
    assert "Tab" not in mode_text(False, ("proposal", 1, 1))  # one proposal: no next


def test_draw_mode_is_shown_in_the_status_bar_until_esc_or_a_box(qtbot, window, tmp_path):
    with review_on_film_a(qtbot, window, tmp_path) as review:
        label = review.status.mode_label
        assert review.status.text == "" and label.isHidden()
        QTest.keyClick(window, Qt.Key.Key_X)
        assert review.overlay.draw_mode and label.isVisibleTo(window)
        assert label.text() == "Draw (X) \u00b7 drag a box on the film \u00b7 Esc stop"
        assert label.parent() is not None and window.statusBar().isAncestorOf(label)
        assert window.cursor_label.isHidden() and window.zoom_label.isVisibleTo(window)  # room for the mode line
        QTest.keyClick(window, Qt.Key.Key_Escape)
        assert not review.overlay.draw_mode and review.status.text == "" and not window.cursor_label.isHidden()
        QTest.keyClick(window, Qt.Key.Key_L)  # locate armed (the stand-in has no locator: the mode shows)
        assert review.status.text.startswith("Locate \u00b7 click on the lesion")
        QTest.keyClick(window, Qt.Key.Key_Escape)
        assert review.status.text == ""

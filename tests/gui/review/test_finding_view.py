"""J shows a finding with its surroundings: about 4 cm of tissue, never a close-up of the box alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pydicom.uid import generate_uid
from review_fakes import SCRIPT, FakeDetection, ScriptedDetector
from study_writer import write_film

from mammoviewer.gui.review.finding_view import CONTEXT_MM, finding_field

SPACING = 0.05  # mm: a fine digital mammogram, where a 240-pixel close-up was 12 mm of tissue
SIDE = 1600


def test_the_field_holds_the_context_the_finding_and_stays_inside_the_film():
    assert finding_field((100, 100, 120, 120), 1600, 1600, (0.05, 0.05)) == (110.0, 110.0, 800.0)
    assert finding_field((0, 0, 600, 300), 1600, 1600, (0.05, 0.05))[2] == 1600.0  # capped at the film
    assert finding_field((10, 10, 20, 20), 200, 300, None)[2] == 40.0  # a fifth of the shorter side
    assert finding_field((40, 30, 100, 80), 200, 300, None)[2] == 180.0  # three times the finding


def _fine_dicom(path: Path) -> Path:
    r, c = np.mgrid[0:SIDE, 0:SIDE]
    return write_film(path, ((r + c) % 4096).astype(np.uint16), patient="P1", study_uid=generate_uid(), date=None,
                      laterality=None, view=None, spacing_mm=SPACING, spacing_tag="PixelSpacing")


@pytest.fixture
def fine_film(tmp_path, monkeypatch):
    path = _fine_dicom(tmp_path / "fine.dcm")
    monkeypatch.setitem(SCRIPT, "fine.dcm", [FakeDetection((700, 700, 720, 720), "malignant", 0.9)])
    return path


def test_j_shows_four_centimetres_around_a_small_finding(qtbot, window, tmp_path, fine_film):
    from mammoviewer.gui.app import attach_review

    review = attach_review(window, store=tmp_path / "r.sqlite", detector_factory=ScriptedDetector)
    try:
        review.set_background_detection(False)
        with qtbot.waitSignal(review.findingsShown, timeout=60000):
            window.open_path(fine_film)
        QTest.keyClick(window, Qt.Key.Key_J)
        shown = window.image_view.visible_rect()
        context = CONTEXT_MM / SPACING  # 800 pixels
        assert min(shown.width(), shown.height()) >= context - 1
        box = review.overlay.scene_rect_of(review.film.doc.finding(review.selected_id).box)
        assert shown.contains(box)
        assert abs(shown.center().x() - box.center().x()) < 1 and abs(shown.center().y() - box.center().y()) < 1
    finally:
        review.close()

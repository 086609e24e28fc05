"""Reading studies through the real window: pane order, mirroring, linked W/L and zoom, per-pane
review saved for that film only, layouts and next study by key.

The exams are real DICOM files written with pydicom from the mini-MIAS sample films
(``tests/study_writer.py``); the right films are stored mirrored, with a PatientOrientation that
says so. Detection uses a stand-in that finds one box per film: the model is not under test here.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF
from study_writer import write_exam

from mammoviewer.gui.viewer.study_loading import films_with_findings
from mammoviewer.io.image import Window
from mammoviewer.review import Box, ReviewStore
from mammoviewer.studies import Layout
from mammoviewer.studies.hanging import chest_wall_side


class OneBoxDetector:
    """Stand-in detector: one malignant box near the top left of every film."""

    name, version, device, default_threshold = "one-box", "1", "CPU", 0.3

    def detect(self, image, threshold: float = 0.0, cancel: threading.Event | None = None):
        from review_fakes import FakeDetection

        return [FakeDetection((10, 10, 40, 40), "malignant", 0.9)]


@pytest.fixture
def exams(tmp_path: Path) -> dict[str, dict[str, Path]]:
    return {"old": write_exam(tmp_path / "exams" / "2019", "PAT-7", "20190410", mirror_right=True),
            "new": write_exam(tmp_path / "exams" / "2021", "PAT-7", "20210322", mirror_right=True),
            "other": write_exam(tmp_path / "exams" / "other", "PAT-9", "20200101")}


@pytest.fixture
def reader(window, tmp_path, qtbot):
    from mammoviewer.gui.app import attach_review
    from mammoviewer.gui.viewer.study_reader import StudyReader

    review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=OneBoxDetector)
    r = StudyReader(window, review)
    yield r
    review.close()


def open_and_wait(qtbot, reader, paths, layout="auto"):
    reader.open(paths, layout)
    qtbot.waitUntil(lambda: reader.view.hanging is not None and not reader.is_loading(), timeout=30000)
    qtbot.waitUntil(lambda: films_with_findings(reader) and reader.review.findings_ready(), timeout=30000)
    reader._refresh_readonly()


def screen_chest_wall(pane) -> str:
    """The chest-wall side of what the pane draws (its film through the pane's flips)."""
    px = pane.image.pixels
    if pane.orientation[1]:
        px = px[:, ::-1]
    if pane.orientation[2]:
        px = px[::-1]
    return chest_wall_side(px)


def test_four_up_order_and_chest_walls_meet_in_the_middle(qtbot, window, reader, exams):
    open_and_wait(qtbot, reader, [exams["new"]["RCC"].parent])
    assert reader.view.hanging.layout is Layout.FOUR
    panes = reader.view.shown_panes()
    assert [Path(p.image.path) for p in panes] == [exams["new"][k] for k in ("RCC", "LCC", "RMLO", "LMLO")]
    assert [p.caption.text().split()[0] for p in panes] == ["RCC", "LCC", "RMLO", "LMLO"]
    # the right films are stored mirrored: they are flipped back, the left ones are not
    assert [p.orientation[1] for p in panes] == [True, False, True, False]
    assert [screen_chest_wall(p) for p in panes] == ["right", "left", "right", "left"]
    # and each film leans against the middle of the layout
    for pane in panes:
        image, view = pane.image_scene_rect(), pane.view_box.viewRect()
        if pane.chest_wall == "right":
            assert image.right() == pytest.approx(view.right(), abs=1.0)
        else:
            assert image.left() == pytest.approx(view.left(), abs=1.0)
    assert pane.frame.geometry().left() > panes[0].frame.geometry().right()


def test_linked_window_level_and_zoom_and_the_toggle(qtbot, window, reader, exams):
    open_and_wait(qtbot, reader, [exams["new"]["RCC"].parent])
    panes = reader.view.shown_panes()
    chosen = Window(120.0, 80.0, "Custom")
    panes[0].set_window(chosen)
    assert [p.current_window for p in panes] == [chosen] * 4
    lut_levels = [tuple(np.round(p.image_item.getLevels(), 3)) for p in panes]
    assert len(set(lut_levels)) == 1
    # zoom into the upper part next to the chest wall of the RCC: every pane shows its mirror region
    rcc = panes[0]
    rcc.zoom_by(2.0)  # the reader zooms: the pane is no longer fitted and leads the others
    image = rcc.image_scene_rect()
    rcc.view_box.setRange(QRectF(image.right() - 40, image.top(), 40, 30), padding=0.0)
    u, v, zoom = rcc.chest_wall_view()
    assert u == pytest.approx(20.0, abs=2.0) and v == pytest.approx(15.0, abs=4.0) and zoom > 5
    for pane in panes[1:]:
        assert pane.chest_wall_view() == pytest.approx((u, v, zoom), rel=0.02)
    # the LCC shows its upper part next to its own chest wall, which is on the other side of its film
    lcc = panes[1]
    assert lcc.view_box.viewRect().center().x() == pytest.approx(lcc.image_scene_rect().left() + u, abs=1.0)
    reader.actions["link"].trigger()  # off
    assert not reader.view.linked
    panes[1].set_window(Window(50.0, 20.0))
    assert panes[0].current_window == chosen and panes[1].current_window == Window(50.0, 20.0)


def test_a_finding_edited_in_one_pane_is_saved_for_that_film_only(qtbot, window, reader, exams, tmp_path):
    open_and_wait(qtbot, reader, [exams["new"]["RCC"].parent])
    review = reader.review
    assert [len(reader.pane_findings(i)) for i in range(4)] == [1, 1, 1, 1]  # every pane shows its finding
    reader.view.set_active(1)  # the LCC
    assert review.overlay.view is reader.view.panes[1] and Path(review.image.path) == exams["new"]["LCC"]
    review.overlay.boxDrawn.emit(Box(50, 50, 70, 75))
    drawn = [f for f in review.findings() if f.source == "reader"]
    assert len(drawn) == 1
    review.select(drawn[0].id)
    assert review.overlay.boxes[drawn[0].id].selected  # the finding selected in this pane is highlighted
    store = ReviewStore.open(tmp_path / "review.sqlite", create=False)
    try:
        by_film = {Path(k).name: [f.source for f in store.findings(k)] for k in
                   (str(exams["new"][v].absolute()) for v in ("RCC", "LCC", "RMLO", "LMLO"))}
    finally:
        store.close()
    assert sorted(by_film[exams["new"]["LCC"].name]) == ["model", "reader"]
    assert all(v == ["model"] for k, v in by_film.items() if k != exams["new"]["LCC"].name)
    review.undo()
    assert [f.source for f in review.findings()] == ["model"]
    reader.view.set_active(0)
    assert len(reader.pane_findings(1)) == 1  # the LCC, now read-only, shows what is stored


def test_layouts_by_key_and_the_next_study(qtbot, window, reader, exams):
    open_and_wait(qtbot, reader, [exams["new"]["RCC"].parent.parent])
    assert [s.patient for s in reader.studies] == ["PAT-7", "PAT-7", "PAT-9"]
    assert reader.index == 0
    reader.actions["layout_2up"].trigger()
    assert [p.caption.text().split()[0] for p in reader.view.shown_panes()] == ["RCC", "LCC"]
    reader.actions["layout_2up"].trigger()  # again: the other view
    assert [p.caption.text().split()[0] for p in reader.view.shown_panes()] == ["RMLO", "LMLO"]
    reader.actions["layout_1up"].trigger()
    assert len(reader.view.shown_panes()) == 1
    reader.actions["layout_4up"].trigger()
    assert len(reader.view.shown_panes()) == 4
    reader.actions["next_study"].trigger()
    qtbot.waitUntil(lambda: reader.view.hanging is not None and not reader.is_loading(), timeout=30000)
    assert reader.index == 1 and reader.study.date == "2021-03-22"
    assert Path(reader.view.shown_panes()[0].image.path) == exams["new"]["RCC"]
    reader.actions["prior"].trigger()  # the prior beside (under) the current
    qtbot.waitUntil(lambda: not reader.is_loading(), timeout=30000)
    labels = [p.caption.text().split("  ")[0] for p in reader.view.shown_panes()]
    assert labels == ["RCC", "LCC", "prior RCC", "prior LCC"]
    assert Path(reader.view.shown_panes()[2].image.path) == exams["old"]["RCC"]
    reader.actions["previous_study"].trigger()
    assert reader.index == 0


def test_enhanced_preset_is_marked_and_the_film_untouched(qtbot, window, reader, exams):
    open_and_wait(qtbot, reader, [exams["other"]["RCC"]], layout="1up")
    pane = reader.view.shown_panes()[0]
    before = pane.image.pixels.copy()
    reader.actions["enhance"].trigger()
    assert pane.enhanced_mark.isVisible() and "CLAHE" in pane.enhanced_mark.text()
    window.grab()
    assert pane.image_item.enhance and np.array_equal(pane.image.pixels, before)
    reader.actions["enhance"].trigger()
    assert not pane.enhanced_mark.isVisible()


def test_opening_a_film_from_the_worklist_leaves_the_studies(qtbot, window, reader, exams):
    open_and_wait(qtbot, reader, [exams["other"]["RCC"].parent])
    window.open_file(exams["other"]["LCC"])
    qtbot.waitUntil(lambda: not window.is_loading(), timeout=30000)
    assert not reader.active_mode and window.image_view.isVisible() and not reader.view.isVisible()
    assert reader.review.overlay.view is window.image_view


def test_ruler_and_ellipse_on_the_active_pane(qtbot, window, reader, exams):
    from mammoviewer.geometry.measure import Spacing, ellipse_stats

    open_and_wait(qtbot, reader, [exams["other"]["RCC"].parent], layout="2up")
    reader.view.set_active(1)
    measurements = reader.measurements()
    assert measurements.view is reader.view.panes[1]
    ruler = measurements.add_ruler((10.0, 10.0), (40.0, 50.0))  # 50 pixels of 1.6 mm
    assert measurements.texts() == ["80.0 mm"]
    end = ruler.getHandles()[1]
    ruler.movePoint(end, QPointF(10.0, 35.0), coords="parent")  # the end dragged: 25 px straight down
    assert measurements.texts() == ["40.0 mm"]
    measurements.add_ellipse((20.0, 20.0, 60.0, 60.0))
    expected = ellipse_stats(reader.view.panes[1].image.pixels, 20, 20, 60, 60, Spacing(1.6, 1.6)).describe()
    assert measurements.texts()[1] == expected and "spacing assumed" not in expected
    # kept with the film's review, and undoable with its edits
    review = reader.review
    store = ReviewStore.open(review.session.path, create=False)
    try:
        stored = store.image(str(exams["other"]["LCC"].absolute())).metadata["measurements"]
        assert [m["kind"] for m in stored] == ["ruler", "ellipse"] and stored[0]["points"] == [10, 10, 10, 35]
        assert "measurements" not in store.image(str(exams["other"]["RCC"].absolute())).metadata
    finally:
        store.close()
    review.undo()
    assert measurements.texts() == ["40.0 mm"]
    review.undo()
    assert measurements.texts() == ["80.0 mm"]  # before the drag
    review.redo()
    review.redo()
    assert len(measurements.texts()) == 2
    reader.view.set_active(0)
    assert measurements.texts() == []  # shown on the film under review only
    reader.view.set_active(1)
    assert len(measurements.texts()) == 2  # back from the store
    reader.actions["clear_measurements"].trigger()
    assert measurements.texts() == []
    review.undo()
    assert len(measurements.texts()) == 2


def test_a_film_without_pixel_spacing_says_it_is_assumed(qtbot, window, reader, tmp_path):
    from study_writer import LEFT_FILM, film_pixels, write_film

    path = write_film(tmp_path / "nospacing.dcm", film_pixels(LEFT_FILM, 64), patient="P", study_uid="1.2.3",
                      date="20200101", laterality="L", view="CC", spacing_mm=None)
    open_and_wait(qtbot, reader, [path], layout="1up")
    reader.actions["ruler"].trigger()  # Shift+R arms the ruler: the status bar says so, a drag draws it
    assert window.statusBar().currentMessage().startswith("Ruler \u00b7 drag on the film")
    pane = reader.view.active_pane
    from qt_events import mouse_drag
    from review_fakes import device_pos

    from PySide6.QtCore import Qt

    mouse_drag(pane.graphics.viewport(), device_pos(pane, 10, 20), device_pos(pane, 40, 20), Qt.MouseButton.LeftButton)
    assert reader.measurements().texts()[0].endswith("mm (spacing assumed)")
    assert window.statusBar().currentMessage() == ""


def test_magnifying_glass_follows_the_cursor(qtbot, window, reader, exams):
    open_and_wait(qtbot, reader, [exams["other"]["RCC"].parent], layout="2up")
    reader.actions["magnifier"].trigger()
    pane = reader.view.panes[0]
    glass = next(g for g in reader._magnifiers if g.view is pane)
    pane._on_mouse_moved(pane.scene_pos_of_pixel(60, 60))
    pane.graphics.scene().sigMouseMoved.emit(pane.scene_pos_of_pixel(60, 60))
    assert glass.glass.isVisible() and glass.glass.pixmap().width() == int(2 * glass.radius * glass.zoom)
    reader.actions["magnifier"].trigger()
    assert not glass.glass.isVisible()


def test_n_and_p_go_from_study_to_study_while_studies_are_read(qtbot, window, reader, exams):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    open_and_wait(qtbot, reader, [exams["new"]["RCC"].parent.parent])
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_N)
    assert reader.index == 1 and reader.active_mode  # the next study, not a single film
    QTest.keyClick(window, Qt.Key.Key_P)
    assert reader.index == 0
    # the toolbar's Prev/Next buttons are enabled and step study by study too
    for name in ("next", "previous"):
        action = window.actions_by_name[name]
        assert action.isEnabled() and window.toolbar.widgetForAction(action).isEnabled()
    window.toolbar.widgetForAction(window.actions_by_name["next"]).click()
    assert reader.index == 1 and "study" in window.actions_by_name["next"].toolTip()
    window.toolbar.widgetForAction(window.actions_by_name["previous"]).click()
    assert reader.index == 0
    reader.leave()
    assert window.actions_by_name["next"].isEnabled() and not reader.actions["next_study"].isEnabled()
    assert window.navigator is None and "image" in window.actions_by_name["next"].toolTip()


def test_the_window_preset_box_follows_the_active_pane_in_4_up(qtbot, window, reader, exams):
    open_and_wait(qtbot, reader, [exams["new"]["RCC"].parent], layout="4up")
    combo = window.preset_combo
    assert combo.count() >= 3 and combo.currentText() == "Default"  # not blank
    panes = reader.view.shown_panes()
    assert window.presets.view is reader.view.active_pane
    full = next(i for i in range(combo.count()) if combo.itemText(i) == "Full range")
    combo.activated.emit(full)  # as a choice in the box
    assert all(p.current_window is not None and p.current_window.name.lower().startswith("full") for p in panes)
    assert combo.currentText() == "Full range"
    reader.view.set_active(2)
    assert window.presets.view is panes[2] and combo.currentText() == "Full range"
    reader.leave()
    assert window.presets.view is window.image_view


def test_a_load_that_fails_never_leaves_the_window_waiting(qtbot, window, exams):
    """A worker that dies on a film (not one of the project's errors) ends the wait at once, in one line."""
    import time

    from mammoviewer.gui.viewer.study_loading import wait_for_study
    from mammoviewer.gui.viewer.study_reader import StudyReader

    real = window.loader

    def breaks_on_lcc(path, cancel=None, progress=None):
        if path.endswith("LCC.dcm"):
            raise RuntimeError("decoder exploded")
        return real(path, cancel=cancel, progress=progress)

    window.loader = breaks_on_lcc
    reader = StudyReader(window, None)
    started = time.monotonic()
    reader.open([exams["new"]["RCC"].parent], "2up")
    error, _ = wait_for_study(reader, timeout_s=60)
    assert time.monotonic() - started < 20  # once: until the timeout (300 s from the command line)
    assert error == "Could not open the study: internal error: RuntimeError: decoder exploded"
    assert reader.view.hanging is not None and [p.label for p in reader.view.hanging.panes] == ["RCC", "LCC"]
    assert all(p.image is None for p in reader.view.shown_panes())  # the worker's films count as failed


def test_a_tiny_film_is_hung_with_its_orientation_unknown(qtbot, window, tmp_path):
    from hostile_films import ramp, write_windowed

    from mammoviewer.gui.viewer.study_loading import wait_for_study
    from mammoviewer.gui.viewer.study_reader import StudyReader

    for side in ("R", "L"):
        write_windowed(tmp_path / f"{side}.dcm", "2047", "4095", pixels=ramp(1, 2), laterality=side)
    reader = StudyReader(window, None)
    reader.open([tmp_path], "2up")
    error, _ = wait_for_study(reader, timeout_s=60)
    assert error is None
    panes = reader.view.shown_panes()
    assert [p.image.columns for p in panes] == [2, 2]
    assert all(p.caption.text().endswith("orientation unknown") for p in panes)
    assert [p.chest_wall for p in panes] == ["right", "left"]


def test_a_study_without_right_films_is_read_in_its_first_pane_with_a_film(qtbot, window, reader, tmp_path):
    """4-up of a study holding only the left films (as DDSM's A_1108_1): the review goes to a pane with a film,
    never to the empty RCC pane (which left the window waiting for findings that never came)."""
    from study_writer import LEFT_FILM, film_pixels, write_film

    (tmp_path / "left").mkdir()
    for view in ("CC", "MLO"):
        write_film(tmp_path / "left" / f"L{view}.dcm", film_pixels(LEFT_FILM, 64), patient="P", study_uid="1.2.3",
                   date="20200101", laterality="L", view=view)
    open_and_wait(qtbot, reader, [tmp_path / "left"], layout="4up")
    panes = reader.view.shown_panes()
    assert panes[0].image is None and reader.view.active_pane.image is not None
    assert reader.review.overlay.view is reader.view.active_pane and reader.review.findings_ready()

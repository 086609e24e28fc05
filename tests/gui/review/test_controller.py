"""A reader's session through the real widgets: findings arrive, threshold, accept/reject, draw,
move, resize, relabel, undo/redo, next film, reopen, and what the store holds afterwards.

These tests use :class:`review_fakes.ScriptedDetector` instead of the model: what is under
test here is the review workflow and the store, not the detector (the real model runs in
``test_review_detection.py``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from dialog_answers import answer_next_box
from qt_events import mouse_drag
from review_fakes import SCRIPT, ScriptedDetector, device_pos, write_films

from mammoviewer.review import Box, ReviewStore


@pytest.fixture
def films(tmp_path: Path) -> Path:
    return write_films(tmp_path / "films")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "review.sqlite"


def attach(window, store_path, detector, background: bool = False):
    from mammoviewer.gui.app import attach_review

    review = attach_review(window, store=store_path, detector_factory=(lambda: detector) if detector else None,
                           detect=detector is not None)
    assert review is not None
    review.set_background_detection(background)  # the exact detector calls are checked here
    return review


@pytest.fixture
def review(window, store_path):
    r = attach(window, store_path, ScriptedDetector())
    yield r
    r.close()


def open_and_wait_findings(qtbot, window, review, path) -> None:
    with qtbot.waitSignal(review.findingsShown, timeout=15000):
        window.open_path(path)


def key(window, k, mod=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(window, k, mod)


def by_score(review, score):
    return next(f for f in review.findings() if f.score == pytest.approx(score))


def test_findings_arrive_and_the_threshold_filters_them_live(qtbot, window, review, films, store_path):
    open_and_wait_findings(qtbot, window, review, films)
    detector = review.detection.detector
    assert detector.calls == ["a.pgm"]
    assert len(review.findings()) == 3  # everything above the store floor is kept
    assert review.panel.threshold == pytest.approx(0.3)  # the card's operating point
    assert len(review.overlay.shown_ids()) == 2 and review.panel.table.rowCount() == 2
    assert review.panel.count_label.text().startswith("2 findings \u2265 0.3: 1 malignant, 1 benign")
    assert "scripted 1 on CPU" in window.model_label.text() and window.device_label.text() == "Device: CPU"
    key(window, Qt.Key.Key_BracketRight)  # one candidate fewer per press: 0.55 hidden
    assert review.panel.threshold == pytest.approx(0.91) and len(review.overlay.shown_ids()) == 1
    key(window, Qt.Key.Key_BracketLeft)  # one more per press
    assert review.panel.threshold == pytest.approx(0.55) and len(review.overlay.shown_ids()) == 2
    key(window, Qt.Key.Key_BracketLeft)
    assert review.panel.threshold == pytest.approx(0.12) and len(review.overlay.shown_ids()) == 3
    review.panel.slider.setValue(600)  # the slider has 0.001 steps
    assert review.panel.threshold == pytest.approx(0.6) and len(review.overlay.shown_ids()) == 1
    review.panel.slider.setValue(100)
    assert len(review.overlay.shown_ids()) == 3
    assert detector.calls == ["a.pgm"]  # filtering never re-runs the model
    key(window, Qt.Key.Key_H)
    assert review.overlay.shown_ids() == []
    key(window, Qt.Key.Key_H)
    assert len(review.overlay.shown_ids()) == 3
    with ReviewStore.open(store_path) as store:
        key_a = str(films / "a.pgm")
        runs = store.model_runs(key_a)
        assert [(r["model_name"], r["model_version"], r["n_findings"]) for r in runs] == [("scripted", "1", 3)]
        stored = store.findings(key_a)
        assert sorted(f.original_score for f in stored) == pytest.approx([0.12, 0.55, 0.91])
        assert all(f.source == "model" and f.model_version == "1" for f in stored)


def test_raising_the_threshold_never_hides_a_decision_of_the_reader(qtbot, window, review, films):
    open_and_wait_findings(qtbot, window, review, films)
    low = by_score(review, 0.12)  # below the operating point: not shown
    review.panel.set_threshold(0.1)
    review.select(low.id)
    key(window, Qt.Key.Key_A)  # accepted
    review.panel.set_threshold(0.95)  # above every model score
    assert review.overlay.shown_ids() == [low.id]
    assert review.panel.visible_ids() == [low.id]
    assert review.panel.count_label.text().startswith("1 finding \u2265 0.95: 0 malignant, 1 benign \u00b7 1 accepted")


def test_keyboard_review_edits_are_saved_at_once_and_undoable(qtbot, window, review, films, store_path):
    open_and_wait_findings(qtbot, window, review, films)
    top = by_score(review, 0.91)
    key(window, Qt.Key.Key_J)  # the highest score first
    assert review.selected_id == top.id and review.panel.selected_id == top.id
    assert review.window.image_view.zoom() > 1.0  # zoomed to it
    key(window, Qt.Key.Key_A)
    with ReviewStore.open(store_path) as other:  # saved at once: another connection sees it
        assert other.finding(top.id).status == "accepted"
    key(window, Qt.Key.Key_R)
    assert review.film.doc.finding(top.id).status == "rejected"  # kept, marked false positive
    key(window, Qt.Key.Key_B)
    key(window, Qt.Key.Key_T)
    key(window, Qt.Key.Key_T)
    f = review.film.doc.finding(top.id)
    assert (f.label, f.finding_type, f.edited) == ("benign", "calcification", True)
    assert window.worklist.state(films / "a.pgm") == "in progress"
    key(window, Qt.Key.Key_J)
    second = review.selected_id
    assert second == by_score(review, 0.55).id
    key(window, Qt.Key.Key_Delete)
    assert second not in {x.id for x in review.findings()}
    for _ in range(5):  # delete, type, type, label, reject
        key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    f = review.film.doc.finding(top.id)
    assert (f.label, f.finding_type, f.status) == ("malignant", None, "accepted")
    assert second in {x.id for x in review.findings()}
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert review.film.doc.finding(top.id).status == "rejected"
    actions = [c.action for c in review.film.doc.corrections()]
    assert actions == ["model add"] * 3 + [
        "set status", "set status", "set label", "set type", "set type", "delete",
        "undo delete", "undo set type", "undo set type", "undo set label", "undo set status",
        "redo set status"]
    log = review.film.doc.corrections()[-1]
    assert log.user and log.time and log.before["original_score"] == pytest.approx(0.91)
    assert log.before["original_box"] == [40.0, 30.0, 100.0, 80.0]


def test_draw_move_resize_relabel_note_with_the_mouse(qtbot, window, review, films, store_path):
    open_and_wait_findings(qtbot, window, review, films)
    view = window.image_view
    vp = view.graphics.viewport()
    # draw a missed lesion: X, then drag on the film
    key(window, Qt.Key.Key_X)
    assert review.overlay.draw_mode and review.panel.draw_button.isChecked()
    mouse_drag(vp, device_pos(view, 130, 20), device_pos(view, 170, 60), Qt.MouseButton.LeftButton)
    added = [f for f in review.findings() if f.source == "reader"]
    assert len(added) == 1 and review.selected_id == added[0].id
    assert added[0].box.as_tuple() == pytest.approx((130, 20, 170, 60), abs=1.5)
    key(window, Qt.Key.Key_M)
    assert review.film.doc.finding(added[0].id).label == "malignant"
    assert review.overlay.boxes[added[0].id].pen.style() == Qt.PenStyle.DashLine  # reader box looks different
    # move the top model box by dragging its inside: one MoveFinding for the whole drag
    top = by_score(review, 0.91)
    n_log = len(review.film.doc.corrections())
    mouse_drag(vp, device_pos(view, 70, 55), device_pos(view, 80, 75), Qt.MouseButton.LeftButton, steps=8)
    moved = review.film.doc.finding(top.id)
    assert len(review.film.doc.corrections()) == n_log + 1
    assert (moved.box.x0 - 40, moved.box.y0 - 30) == pytest.approx((10, 20), abs=2)
    assert moved.edited and moved.original_box == Box(40, 30, 100, 80)
    assert review.overlay.boxes[top.id].pen.style() == Qt.PenStyle.DashDotLine
    # resize it by its bottom-right handle (it is selected since the drag)
    b = moved.box
    mouse_drag(vp, device_pos(view, b.x1, b.y1), device_pos(view, b.x1 + 15, b.y1 + 10), Qt.MouseButton.LeftButton)
    resized = review.film.doc.finding(top.id).box
    assert (resized.x0, resized.y0) == pytest.approx((b.x0, b.y0))
    assert (resized.width, resized.height) == pytest.approx((b.width + 15, b.height + 10), abs=2)
    # a note through the panel
    key(window, Qt.Key.Key_E)
    assert review.panel.note_edit.hasFocus()
    QTest.keyClicks(review.panel.note_edit, "spiculated")  # typing here never triggers review keys
    QTest.keyClick(review.panel.note_edit, Qt.Key.Key_Return)
    assert review.film.doc.finding(top.id).note == "spiculated"
    assert review.film.doc.finding(top.id).status == "accepted"  # the reader's edit makes it the reader's finding
    # undo the note, the resize and the move: the box is back where the model put it, a candidate again
    window.setFocus()
    for _ in range(3):
        review.undo()
    assert review.film.doc.finding(top.id).box == Box(40, 30, 100, 80)
    assert review.overlay.boxes[top.id].box() == Box(40, 30, 100, 80)  # the view followed the undo
    with ReviewStore.open(store_path) as store:
        assert store.finding(top.id).box == Box(40, 30, 100, 80) and store.finding(top.id).status == "pending"
        reader = store.finding(added[0].id)
        assert reader.source == "reader" and reader.label == "malignant"
        actions = [c.action for c in store.corrections(str(films / "a.pgm"))]
        assert "add" in actions and "move" in actions and "undo move" in actions


def test_next_film_review_state_and_reopening_exactly_as_left(qtbot, window, review, films, store_path, app,
                                                                 settings):
    open_and_wait_findings(qtbot, window, review, films)
    key(window, Qt.Key.Key_J)
    key(window, Qt.Key.Key_R)
    left_a = sorted((f.to_json() for f in review.findings()), key=lambda d: d["id"])
    with qtbot.waitSignal(review.findingsShown, timeout=15000):
        key(window, Qt.Key.Key_N)
    assert Path(review.key).name == "b.pgm" and len(review.findings()) == len(SCRIPT["b.pgm"])
    answer_next_box("Leave them pending")  # b's 0.77 candidate is still pending: Ctrl+Enter asks
    key(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    window.activateWindow()  # the offscreen platform does not give activation back after the box
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert window.worklist.state(films / "b.pgm") == "reviewed"
    assert window.worklist.state(films / "a.pgm") == "in progress"
    assert window.worklist.state(films / "c.pgm") == "unreviewed"
    with qtbot.waitSignal(review.findingsShown, timeout=15000):
        key(window, Qt.Key.Key_P)
    assert review.detection.detector.calls == ["a.pgm", "b.pgm"]  # a came from the store
    key(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo history kept for the session
    assert all(f.status == "pending" for f in review.findings())
    key(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    review.close()

    # a second window on the same store: same model version -> stored findings, no detection
    from mammoviewer.gui.viewer.main_window import MainWindow

    other = MainWindow(settings=settings)
    qtbot.addWidget(other)
    other.show()
    again = attach(other, store_path, ScriptedDetector())
    try:
        with qtbot.waitSignal(again.findingsShown, timeout=15000):
            other.open_path(films / "a.pgm")
        assert again.detection.detector.calls == []
        assert sorted((f.to_json() for f in again.findings()), key=lambda d: d["id"]) == left_a
        assert other.worklist.state(films / "b.pgm") == "reviewed"
        # a new model version re-detects but keeps what the reader touched
        again.detection.detector.version = "2"
        with qtbot.waitSignal(again.findingsShown, timeout=15000):
            again.detect_again()
        rejected = [f for f in again.findings() if f.status == "rejected"]
        assert len(rejected) == 1 and rejected[0].model_version == "1"
    finally:
        again.close()
        other.close()
        other.jobs.wait(10000)


def test_another_film_supersedes_a_running_detection(qtbot, window, store_path, films):
    gate = threading.Event()
    detector = ScriptedDetector(gate=gate)
    review = attach(window, store_path, detector)
    try:
        window.open_path(films / "a.pgm")
        qtbot.waitUntil(lambda: detector.started.is_set(), timeout=15000)
        assert review.progress.isVisible() or review.detection.busy
        with qtbot.waitSignal(window.imageLoaded, timeout=15000):
            window.worklist.next()
        qtbot.waitUntil(lambda: detector.calls == ["a.pgm", "b.pgm"], timeout=15000)
        gate.set()
        qtbot.waitUntil(review.findings_ready, timeout=15000)
        assert Path(review.key).name == "b.pgm"
        assert [f.score for f in review.findings()] == pytest.approx([0.77])
        window.jobs.wait(10000)
        qtbot.wait(50)  # a late result of a.pgm would arrive now: it must not be drawn or stored
        assert [f.score for f in review.findings()] == pytest.approx([0.77])
        assert review.overlay.boxes.keys() == {f.id for f in review.findings()}
        assert review.session.store.model_runs(str(films / "a.pgm")) == []
        assert not review.progress.isVisible()
    finally:
        review.close()


def test_an_edit_made_stale_by_another_window_is_explained_and_reloaded(qtbot, window, review, films,
                                                                          store_path):
    open_and_wait_findings(qtbot, window, review, films)
    top = by_score(review, 0.91)
    with ReviewStore.open(store_path) as other:  # another process relabels it meanwhile
        from mammoviewer.review.records import FindingChange

        now = other.finding(top.id)
        other.apply(FindingChange("set label", now, now.replace(label="benign", edited=True)))
    review.select(top.id)
    key(window, Qt.Key.Key_A)
    assert window.banner.isVisible() and "changed elsewhere" in window.banner.text()
    assert "reloaded" in window.banner.text()
    assert review.film.doc.finding(top.id).label == "benign"  # the other window's edit is shown
    assert review.film.doc.finding(top.id).status == "pending"
    key(window, Qt.Key.Key_A)  # and editing goes on from there
    assert review.film.doc.finding(top.id).status == "accepted"


def test_without_detection_stored_findings_still_show(qtbot, window, store_path, films):
    with ReviewStore.open(store_path) as store:
        from mammoviewer.review.session import findings_from_detections
        from mammoviewer.review import ImageRecord

        k = str(films / "b.pgm")
        store.add_image(ImageRecord(key=k, width=300, height=200))
        store.record_model_findings(k, "scripted", "1", findings_from_detections(k, SCRIPT["b.pgm"]))
    review = attach(window, store_path, None)
    try:
        with qtbot.waitSignal(window.imageLoaded, timeout=15000):
            window.open_path(films / "b.pgm")
        assert [f.score for f in review.findings()] == pytest.approx([0.77])
        assert len(review.overlay.shown_ids()) == 1
        assert review.panel.model_label.text() == "Detection off"
        assert str(store_path) in review.panel.store_label.text()
    finally:
        review.close()


def test_default_store_lives_in_the_user_data_folder(monkeypatch, tmp_path, app):
    from mammoviewer.gui.review.store_location import default_store_path, open_store

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_store_path() == tmp_path / "data" / "mammoviewer" / "review.sqlite"
    store = open_store(None)
    try:
        assert store.path == tmp_path / "data" / "mammoviewer" / "review.sqlite" and store.path.is_file()
    finally:
        store.close()


def test_the_worklist_is_detected_in_the_background(qtbot, window, store_path, films):
    detector = ScriptedDetector()
    review = attach(window, store_path, detector, background=True)
    try:
        open_and_wait_findings(qtbot, window, review, films / "a.pgm")
        qtbot.waitUntil(lambda: sorted(detector.calls) == ["a.pgm", "b.pgm", "c.pgm"], timeout=15000)
        qtbot.waitUntil(lambda: review.detection.prefetching is None, timeout=15000)
        with ReviewStore.open(store_path) as store:
            assert store.model_runs(str(films / "c.pgm"))[0]["n_findings"] == len(SCRIPT["c.pgm"])
            assert store.image(str(films / "b.pgm")).width == 300  # added with its size
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            key(window, Qt.Key.Key_N)
        assert [f.score for f in review.findings()] == pytest.approx([0.77])  # at once, from the store
        assert sorted(detector.calls) == ["a.pgm", "b.pgm", "c.pgm"]  # not detected twice
    finally:
        review.close()


def test_switching_to_another_store_reopens_the_film_from_it(qtbot, window, review, films, tmp_path):
    open_and_wait_findings(qtbot, window, review, films / "b.pgm")
    key(window, Qt.Key.Key_J)
    key(window, Qt.Key.Key_A)
    other = tmp_path / "other.sqlite"
    with qtbot.waitSignal(review.findingsShown, timeout=15000):
        assert review.switch_store(other)
    assert review.session.path == other and str(other) in review.panel.store_label.text()
    assert [f.status for f in review.findings()] == ["pending"]  # a fresh store: detected anew
    assert review.detection.detector.calls == ["b.pgm", "b.pgm"]
    assert not review.switch_store(tmp_path / "missing" / "x.sqlite")  # explained, the store is kept
    assert "does not exist" in window.banner.text() and review.session.path == other


def test_help_lists_the_review_keys(window, review):
    window.actions_by_name["mouse_help"].trigger()
    text = window.banner.text()
    assert "A accept" in text and "R reject" in text and "M malignant" in text and "Ctrl+R" in text
    shortcuts = {}
    for action in window.findChildren(type(window.actions_by_name["open"])):
        for seq in action.shortcuts():
            assert seq.toString() not in shortcuts, f"{seq.toString()} used by {shortcuts.get(seq.toString())} too"
            shortcuts[seq.toString()] = action.objectName()


def test_import_export_and_retrain_are_wired_to_the_review(qtbot, window, review, films, store_path):
    from mammoviewer.gui.app import install_tools

    install_tools(window, review)
    assert "retrain_detector" in window.actions_by_name
    open_and_wait_findings(qtbot, window, review, films / "a.pgm")
    with ReviewStore.open(store_path) as other:  # an import writes to the store ...
        from mammoviewer.review import Finding, FindingChange

        imported = Finding(image_key=str(films / "a.pgm"), box=Box(5, 5, 25, 25), label="benign", source="import")
        other.apply(FindingChange("import add", None, imported))
    window.file_actions.storeChanged.emit()  # ... and says so: the film is re-read
    assert any(f.source == "import" for f in review.findings())
    calls_before = list(review.detection.detector.calls)
    replacement = ScriptedDetector(version="2")
    from mammoviewer.gui.review import detection as review_detection

    original = review_detection.detector_factory
    review_detection.detector_factory = lambda path, device="auto": (lambda: replacement)
    try:
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            review.use_model("/models/retrained.keras")  # the retrain dialog's model switch
    finally:
        review_detection.detector_factory = original
    assert review.model_path == "/models/retrained.keras" and replacement.calls == ["a.pgm"]
    assert review.detection.detector is replacement and calls_before == ["a.pgm"]

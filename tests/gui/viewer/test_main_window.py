"""The main window on real widgets: open, worklist navigation, drag and drop, errors, status."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from gui_support import stamp_pixels, wait_loaded, write_pgm16
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def open_and_wait(qtbot, window, path) -> None:
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        window.open_path(path)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three 16-bit images a.pgm, b.pgm, c.pgm whose first pixel is 1, 2, 3."""
    d = tmp_path / "films"
    d.mkdir()
    for i, name in enumerate("abc", start=1):
        px = stamp_pixels()
        px[0, 0] = i
        write_pgm16(d / f"{name}.pgm", px)
    (d / "notes.txt").write_text("not an image")
    return d


def test_open_a_mias_film_shows_it_fitted_with_its_metadata(qtbot, window, mias_film):
    open_and_wait(qtbot, window, mias_film)
    view = window.image_view
    assert view.image.pixels.shape == (1024, 1024)
    assert np.shares_memory(view.image_item.image, view.image.pixels)  # raw pixels, never re-rendered
    assert view.image_item.image.dtype == np.uint8
    assert window.metadata_panel.value("Size") == "1024 x 1024 px (W x H)"
    assert window.metadata_panel.value("Format") == "PGM"
    assert window.metadata_panel.value("Pixel spacing").startswith("0.2 x 0.2 mm")
    assert window.metadata_panel.value("Laterality") == "R"  # mdb023: odd number = right
    assert "mdb023.pgm" in window.windowTitle()
    assert view.visible_rect().contains(view.image_scene_rect().adjusted(1e-6, 1e-6, -1e-6, -1e-6))
    assert window.worklist.current_path() == str(mias_film)
    assert window.device_label.text() == "Device: CPU"
    assert window.recent.paths()[0] == str(mias_film.resolve())
    window._fill_recent_menu()
    assert str(mias_film.resolve()) in [a.text() for a in window.recent_menu.actions()]


def test_status_bar_shows_pixel_mm_and_value_under_the_cursor(qtbot, window, mias_film):
    from qt_events import mouse_move

    open_and_wait(qtbot, window, mias_film)
    view = window.image_view
    pos = view.graphics.mapFromScene(view.scene_pos_of_pixel(600, 300))
    col, row = view.pixel_at_scene(view.graphics.mapToScene(pos))  # the pixel under that device pixel
    assert abs(col - 600) <= 1 and abs(row - 300) <= 1
    mouse_move(view.graphics.viewport(), pos)
    value = int(view.image.pixels[row, col])
    qtbot.waitUntil(lambda: f"x {col}  y {row} px" in window.cursor_label.text(), timeout=5000)
    assert f"value {value}" in window.cursor_label.text()
    assert f"({col * 0.2:.2f}, {row * 0.2:.2f} mm)" in window.cursor_label.text()


def test_keyboard_actions_invert_fit_and_presets(qtbot, window, mias_film):
    open_and_wait(qtbot, window, mias_film)
    view = window.image_view
    lut = np.array(view.image_item.lut).copy()
    QTest.keyClick(window, Qt.Key.Key_I)
    assert view.invert and np.array_equal(np.array(view.image_item.lut), lut[::-1])
    QTest.keyClick(window, Qt.Key.Key_1)
    assert view.zoom() == pytest.approx(1.0, rel=1e-3)
    QTest.keyClick(window, Qt.Key.Key_F)
    assert view.zoom() < 1.0
    assert window.apply_preset("Full range")
    assert tuple(view.image_item.getLevels()) == pytest.approx((0.0, 255.0), abs=1.0)
    assert window.preset_combo.currentText() == "Full range"
    QTest.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    from mammoviewer.io.display import auto_window

    assert view.current_window == auto_window(view.image) and view.current_window.width < 255


def test_next_previous_through_a_folder(qtbot, window, folder):
    open_and_wait(qtbot, window, folder)
    assert [Path(p).name for p in window.worklist.paths()] == ["a.pgm", "b.pgm", "c.pgm"]
    first = lambda: int(window.image_view.image.pixels[0, 0])  # noqa: E731
    assert first() == 1
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_PageDown)
    assert first() == 2
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_N)
    assert first() == 3
    assert not window.worklist.next()  # at the end
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_P)
    assert first() == 2
    window.worklist.list.setFocus()
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window.worklist.list, Qt.Key.Key_Up)
    assert first() == 1
    assert window.worklist.current_path().endswith("a.pgm")


def _drop(window, paths: list[Path]) -> bool:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def test_drag_and_drop_files_opens_them(qtbot, window, folder):
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        assert _drop(window, [folder / "b.pgm"])
    assert int(window.image_view.image.pixels[0, 0]) == 2
    assert window.worklist.current_path().endswith("b.pgm")
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        assert _drop(window, [folder / "c.pgm", folder / "a.pgm"])
    assert [Path(p).name for p in window.worklist.paths()] == ["c.pgm", "a.pgm"]
    assert int(window.image_view.image.pixels[0, 0]) == 3
    mime = QMimeData()
    mime.setText("plain text")
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_several_paths_with_folders_list_the_folders_images_and_name_what_has_none(qtbot, window, folder, tmp_path):
    """``mammoviewer view FOLDER FILE ...``: a folder adds its images, never a silently empty window; an empty
    folder and a missing path are said in one line."""
    other = tmp_path / "other"
    other.mkdir()
    write_pgm16(other / "d.pgm", stamp_pixels())
    empty = tmp_path / "empty"
    empty.mkdir()
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        window.open_paths([folder, other / "d.pgm", empty, tmp_path / "gone.pgm"])
    assert [Path(p).name for p in window.worklist.paths()] == ["a.pgm", "b.pgm", "c.pgm", "d.pgm"]
    assert int(window.image_view.image.pixels[0, 0]) == 1
    text = window.banner.text()
    assert window.banner.isVisible() and "\n" not in text
    assert f"{empty}: no images" in text and f"{tmp_path / 'gone.pgm'}: no such file or folder" in text


def test_broken_file_shows_an_error_and_the_app_stays_usable(qtbot, window, folder, broken_file):
    shutil.copy(broken_file, folder / "b_broken.dcm")
    open_and_wait(qtbot, window, folder / "b.pgm")
    broken = str(folder / "b_broken.dcm")
    qtbot.waitUntil(lambda: bool(window.worklist.broken()), timeout=10000)  # checked on a worker
    assert window.worklist.broken() == {broken: "not an image by its content (not PGM, DICOM, PNG or TIFF)"}
    assert window.worklist.title.text() == "films  (3, 1 broken)"
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_N)  # b.pgm -> c.pgm: the marked file is passed over
    assert int(window.image_view.image.pixels[0, 0]) == 3
    with qtbot.waitSignal(window.loadFailed, timeout=30000) as blocker:
        window.worklist.select(broken)  # chosen on purpose, it still says why it does not open
    path, message = blocker.args
    assert path.endswith("b_broken.dcm") and "b_broken.dcm" in message
    assert window.banner.isVisible()
    assert "Could not open b_broken.dcm" in window.banner.text()
    assert window.image_view.image is None
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_N)  # still navigates: -> c.pgm
    assert int(window.image_view.image.pixels[0, 0]) == 3
    assert not window.banner.isVisible()


def test_a_file_that_fails_to_open_is_marked_and_passed_over(qtbot, window, folder):
    truncated = folder / "b_truncated.pgm"  # a PGM by its header, with too few pixels
    truncated.write_bytes(b"P5\n60 40\n255\n" + bytes(100))
    open_and_wait(qtbot, window, folder / "b.pgm")
    assert window.worklist.broken() == {}
    with qtbot.waitSignal(window.loadFailed, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_N)  # tried once: -> b_truncated.pgm
    assert window.worklist.broken() == {str(truncated): "truncated PGM data: 100 of 2400 bytes"}
    assert window.worklist.list.currentItem().text().startswith("\u2715 ")
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_N)
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_P)  # c.pgm -> b.pgm, passing over the broken file
    assert int(window.image_view.image.pixels[0, 0]) == 2


def test_a_folder_opens_on_its_first_file_that_opens(qtbot, window, folder, broken_file):
    shutil.copy(broken_file, folder / "0_broken.dcm")
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        window.open_folder(folder)
    assert window.worklist.current_path().endswith("a.pgm")


def test_broken_shared_dicom_reports_its_problem(qtbot, window):
    from gui_support import SHARED, ROOT

    candidates = [ROOT / "tests" / "data" / "broken_not_dicom_text.dcm",
                  SHARED / "dicom" / "broken_truncated_pixeldata.dcm"]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        pytest.skip("no broken DICOM sample available")
    with qtbot.waitSignal(window.loadFailed, timeout=30000) as blocker:
        window.open_file(path)
    assert path.name in blocker.args[1]
    assert window.banner.isVisible() and path.name in window.banner.text()
    wait_loaded(qtbot, window)


def test_model_and_device_status_hooks(window):
    window.set_model_status("IDBLL v1")
    window.set_device_status("GPU 0")
    assert window.model_label.text() == "IDBLL v1" and not window.model_label.isHidden()
    assert window.device_label.text() == "Device: GPU 0"
    window.set_model_status("")
    assert window.model_label.isHidden()


def test_file_open_and_open_folder_menus(qtbot, window, folder, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(folder / "c.pgm"), ""))
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        window.actions_by_name["open"].trigger()
    assert int(window.image_view.image.pixels[0, 0]) == 3
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        window.actions_by_name["open_folder"].trigger()
    assert int(window.image_view.image.pixels[0, 0]) == 1
    assert window.recent.paths()[:2] == [str(folder.resolve()), str((folder / "c.pgm").resolve())]


def test_a_slow_load_never_blocks_the_window_and_the_latest_wins(qtbot, window, folder):
    import threading

    from mammoviewer.io import load_image

    gate = threading.Event()

    def slow_then_fast(path, **control):
        if path.endswith("a.pgm"):
            gate.wait(20)
        return load_image(path)

    window.loader = slow_then_fast
    window.load(str(folder / "a.pgm"))  # blocks on the worker, not on the UI thread
    assert window.is_loading()
    with qtbot.waitSignal(window.imageLoaded, timeout=30000):
        window.load(str(folder / "b.pgm"))
    assert int(window.image_view.image.pixels[0, 0]) == 2
    gate.set()
    assert window.jobs.wait(20000)
    qtbot.wait(50)
    assert int(window.image_view.image.pixels[0, 0]) == 2  # the stale a.pgm result was dropped


def test_dicom_windows_are_offered_by_name_and_shown_in_the_metadata(qtbot, window):
    from gui_support import ROOT

    from mammoviewer.io.display import display_lut

    path = ROOT / "tests" / "data" / "mg_ge_seno_lcc_for_presentation_hdr.dcm"
    if not path.is_file():
        pytest.skip("tests/data/mg_ge_seno_lcc_for_presentation_hdr.dcm is absent")
    open_and_wait(qtbot, window, path)  # decoded in the decoder child process
    image = window.image_view.image
    names = window.preset_names()
    assert names[0] == "Default" and names[-2:] == ["Auto", "Full range"]
    assert [n.split(" (")[0] for n in names[1:4]] == ["NORMAL", "HARDER", "SOFTER"]
    # Default is the file's first VOI LUT: levels span its table
    assert window.image_view.current_window is None
    assert window.image_view.image_item.getLevels() == pytest.approx(display_lut(image, None)[0])
    assert "VOI LUT NORMAL" in window.window_label.text()
    assert window.apply_preset("HARDER")
    assert window.image_view.current_window.name == "HARDER" and window.image_view.current_window.function == "SIGMOID"
    assert window.image_view.image_item.getLevels() == pytest.approx(display_lut(image, image.windows[1])[0])
    assert window.preset_combo.currentText().startswith("HARDER")
    assert "NORMAL: C 2262 W 380 SIGMOID" in window.metadata_panel.value("Windows")
    assert window.metadata_panel.value("Intent") == "FOR PRESENTATION"

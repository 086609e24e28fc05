"""An error nobody caught, in a slot or a plain thread, is shown in the window, which stays open."""

from __future__ import annotations

import sys
import threading

import pytest


@pytest.fixture
def guarded(window):
    from mammoviewer.gui.last_resort import install

    uninstall = install(window)
    yield window
    uninstall()


@pytest.mark.qt_no_exception_capture
def test_error_in_a_slot_is_shown_in_the_banner_and_status_line(guarded, qtbot, capsys):
    from PySide6.QtCore import QTimer

    def broken_slot() -> None:
        raise ValueError("a bad value from nowhere")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: guarded.banner.isVisible(), timeout=5000)
    text = guarded.banner.text()
    assert text.startswith("Unexpected error (ValueError: a bad value from nowhere)") and "\n" not in text
    assert guarded.statusBar().currentMessage() == text
    assert guarded.isVisible()
    assert "Traceback" in capsys.readouterr().err  # the console keeps the details for a bug report


@pytest.mark.qt_no_exception_capture
def test_error_in_a_thread_reaches_the_window(guarded, qtbot):
    from mammoviewer.errors import DetectorError

    worker = threading.Thread(target=lambda: (_ for _ in ()).throw(DetectorError("model.keras: broken")))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: guarded.banner.text() == "model.keras: broken", timeout=5000)
    assert guarded.isVisible()


def test_uninstall_restores_the_hooks(window):
    from mammoviewer.gui.last_resort import install

    before = (sys.excepthook, threading.excepthook)
    uninstall = install(window)
    assert sys.excepthook is not before[0]
    uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_the_viewer_installs_the_hook(app, tmp_path, stamp_path):
    from mammoviewer.gui.app import run_viewer

    before = (sys.excepthook, threading.excepthook)
    try:
        assert run_viewer([stamp_path], screenshot=tmp_path / "shot.png", store=tmp_path / "r.sqlite",
                          detect=False) == 0
        assert sys.excepthook.__module__ == "mammoviewer.gui.last_resort"
        assert threading.excepthook.__module__ == "mammoviewer.gui.last_resort"
    finally:
        sys.excepthook, threading.excepthook = before

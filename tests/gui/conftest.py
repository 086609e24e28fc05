"""Fixtures for the viewer tests: offscreen Qt, a window per test, real and stamp images."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The shared helpers (gui_support, qt_events, review_fakes) sit beside this file; the tests of every
# sub-package (viewer/, review/, tools/) import them by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gui_support import (  # noqa: E402,F401
    ROOT, SHARED, STAMP_BRIGHT, STAMP_COLS, STAMP_ROWS, mias_film_path, stamp_pixels, wait_loaded, write_pgm16,
)


@pytest.fixture
def stamp_path(tmp_path: Path) -> Path:
    return write_pgm16(tmp_path / "stamp.pgm", stamp_pixels())


@pytest.fixture
def stamp_image(stamp_path: Path):
    from mammoviewer.io import load_image

    return load_image(stamp_path)


@pytest.fixture
def mias_film() -> Path:
    return mias_film_path()


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    """A junk file with an image suffix (so the worklist lists it)."""
    path = tmp_path / "junk.dcm"
    path.write_bytes(b"this is not an image at all\n" * 20)
    return path


@pytest.fixture
def settings(tmp_path: Path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def _visible_top_level_windows() -> list:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return []
    return [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]


@pytest.fixture(autouse=True)
def no_leaked_windows():
    """Fail a test that starts with a window some earlier test left open."""
    leaked = [w for w in _visible_top_level_windows() if type(w).__name__ in ("MainWindow", "ImageView")]
    assert not leaked, f"windows leaked from an earlier test: {leaked}"
    yield


@pytest.fixture
def app(qapp):
    import pyqtgraph as pg

    from mammoviewer.gui.app import create_app

    # synthetic events arrive microseconds apart: switch off pyqtgraph's mouse-move rate limit
    pg.setConfigOptions(mouseRateLimit=-1)
    return create_app()


@pytest.fixture
def window(app, qtbot, settings):
    """A shown MainWindow with private settings; closed and deleted after the test."""
    from mammoviewer.gui.viewer.main_window import MainWindow

    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    win.jobs.wait(10000)
    win.deleteLater()
    app.processEvents()
    assert not win.isVisible()


@pytest.fixture
def image_view(app, qtbot):
    """A shown ImageView, 500 x 400."""
    from mammoviewer.gui.viewer.image_view import ImageView

    view = ImageView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.close()

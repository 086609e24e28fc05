"""Hanging panes with hostile films: the audit's window values, as read from a header and as set
directly, shown in 2-up with the Enhanced display on and the magnifier over each film, in real
offscreen widgets in a child process (a native crash in pyqtgraph's paint fails the test)."""

from __future__ import annotations

import numpy as np
import pytest
from child_cases import failures, run_cases
from hostile_films import HOSTILE, write_windowed

from mammoviewer.io import Window, load_image


def test_hostile_windows_in_two_up_with_enhanced_on_paint_and_magnify(tmp_path):
    pytest.importorskip("PySide6")
    results = run_cases(tmp_path, "hostile", 0, 2 * len(HOSTILE), timeout=240)
    assert not failures(results), failures(results)[:3]
    assert [r["panes"] for r in results] == [2] * (2 * len(HOSTILE))  # both films shown in every case
    assert {tuple(r["window"]) for r in results} == set(HOSTILE) and sum(r["raw"] for r in results) == len(HOSTILE)


@pytest.mark.parametrize("window", [Window(1e308, 1e-308, function="LINEAR"), Window(-1e308, 1e308, function="SIGMOID"),
                                    Window(float("nan"), float("inf"), function="LINEAR_EXACT")])
def test_magnifier_over_a_film_in_a_hostile_window(qtbot, tmp_path, window):
    from mammoviewer.gui.viewer.hanging_panes import PaneView
    from mammoviewer.gui.viewer.measure_tools import Magnifier

    pane = PaneView()
    qtbot.addWidget(pane.frame)
    image = load_image(write_windowed(tmp_path / "w.dcm", "2047", "4095"))
    pane.set_image(image, window)  # set directly, as a drag or a presentation state could
    glass = Magnifier(pane, radius=8, zoom=2.0)
    for column, row in ((0, 0), (63, 63), (30, 20)):
        glass.show_at(column, row)  # once ZeroDivisionError / IndexError in lut_indices
        picture = glass.glass.pixmap().toImage()
        assert not picture.isNull() and picture.width() >= 2
    glass.show_at(-50, -50)  # off the film: the glass hides
    assert not glass.glass.isVisible()
    levels = pane.image_item.getLevels()
    assert np.isfinite(levels).all() and levels[1] > levels[0]


def test_magnifier_shows_a_film_of_unequal_spacing_at_its_physical_aspect(qtbot):
    """Rows at 0.4 mm, columns at 0.2 mm (a DDSM-like film): the glass shows a square of breast, half as many
    rows as columns stretched twice as tall, as the view itself draws the film."""
    from mammoviewer.gui.viewer.hanging_panes import PaneView
    from mammoviewer.gui.viewer.measure_tools import Magnifier
    from mammoviewer.io.image import Image

    pixels = (np.arange(200 * 200, dtype=np.uint16).reshape(200, 200) % 4096).astype(np.uint16)
    pane = PaneView()
    qtbot.addWidget(pane.frame)
    pane.set_image(Image("/f/ddsm.dcm", "dicom", pixels, 12, pixel_spacing_mm=(0.4, 0.2)), None)
    glass = Magnifier(pane, radius=20, zoom=2.0)
    glass.show_at(100, 100)
    shown = glass.glass.pixmap()
    assert (shown.width(), shown.height()) == (2 * 40, 2 * 20 * 2)  # 40 columns x 20 rows, rows drawn twice as tall
    pane.set_image(Image("/f/mias.pgm", "pgm", pixels, 12, pixel_spacing_mm=(0.2, 0.2)), None)
    glass.show_at(100, 100)
    assert (glass.glass.pixmap().width(), glass.glass.pixmap().height()) == (80, 80)

"""Ruler and ellipse drawn by dragging on the real canvas (no pan meanwhile), their labels kept in the pane."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from qt_events import mouse_drag

from mammoviewer.io.image import Image, Window

ROWS, COLS = 200, 300


def device_pos(view, column: float, row: float):
    view.view_box.prepareForPaint()
    from PySide6.QtCore import QPointF

    return view.graphics.mapFromScene(view.image_item.mapToScene(QPointF(column, row)))


@pytest.fixture
def measured(image_view):
    from mammoviewer.gui.viewer.measure_tools import Measurements

    px = (np.arange(ROWS * COLS, dtype=np.uint16).reshape(ROWS, COLS) % 1000) + 1000
    image_view.set_image(Image(path="/films/m.pgm", format="pgm", pixels=px, bits_stored=16,
                               pixel_spacing_mm=(0.2, 0.2)), Window(1500.0, 1000.0))
    return Measurements(image_view)


def test_shift_r_then_a_drag_draws_the_ruler_from_press_to_release_without_panning(measured, image_view):
    vp = image_view.graphics.viewport()
    before = image_view.view_box.viewRect()
    assert measured.arm_ruler() and measured.armed == "ruler"
    mouse_drag(vp, device_pos(image_view, 50, 60), device_pos(image_view, 150, 60), Qt.MouseButton.LeftButton)
    assert measured.armed == "" and len(measured.items) == 1
    (m,) = measured.current()
    assert m.kind == "ruler" and m.points == pytest.approx((50, 60, 150, 60), abs=1.5)
    assert measured.texts()[0].startswith("20.") and measured.texts()[0].endswith("mm")  # 100 px of 0.2 mm
    assert image_view.view_box.viewRect() == before  # the drag drew; it did not pan
    # disarmed, the same drag pans again
    mouse_drag(vp, device_pos(image_view, 50, 100), device_pos(image_view, 150, 100), Qt.MouseButton.LeftButton)
    assert len(measured.items) == 1 and image_view.view_box.viewRect() != before


def test_shift_o_then_a_drag_draws_the_ellipse_across_the_region(measured, image_view):
    vp = image_view.graphics.viewport()
    measured.arm_ellipse()
    mouse_drag(vp, device_pos(image_view, 120, 90), device_pos(image_view, 60, 40), Qt.MouseButton.LeftButton)
    (m,) = measured.current()
    assert m.kind == "ellipse" and m.points == pytest.approx((60, 40, 120, 90), abs=1.5)
    assert "mean" in measured.texts()[0]


def test_esc_disarms_and_a_slip_draws_nothing(measured, image_view):
    measured.arm_ruler()
    assert measured.cancel() and measured.armed == "" and not measured.cancel()
    measured.arm_ruler()
    p = device_pos(image_view, 100, 100)
    mouse_drag(image_view.graphics.viewport(), p, p, Qt.MouseButton.LeftButton)
    assert measured.items == []


def test_labels_stay_inside_the_pane(measured, image_view):
    image_view.flip_horizontal()
    measured.add_ruler((COLS - 40.0, 20.0), (COLS - 1.0, 20.0))  # its end at the pane's edge
    measured.add_ellipse((COLS - 30.0, ROWS - 30.0, COLS - 1.0, ROWS - 1.0))
    vp = image_view.graphics.viewport()
    pane = QRectF(image_view.graphics.mapToScene(vp.rect()).boundingRect())
    labels = [label.sceneBoundingRect() for _, label, _ in measured.items]
    assert all(pane.contains(r) for r in labels), (labels, pane)
    assert not labels[0].intersects(labels[1])

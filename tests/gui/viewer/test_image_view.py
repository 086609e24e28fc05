"""The image canvas on real widgets: orientation, readout, zoom, window/level, display transforms."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import STAMP_BRIGHT, STAMP_COLS, STAMP_ROWS, stamp_pixels
from PySide6.QtCore import QPoint, Qt
from qt_events import mouse_drag, mouse_move

from mammoviewer.io.image import Window

FULL = Window(center=32768.0, width=65536.0, name="test full")


def device_pos(view, column: float, row: float) -> QPoint:
    """Viewport position (device pixels) of the centre of pixel (column, row)."""
    return view.graphics.mapFromScene(view.scene_pos_of_pixel(column, row))


def shown_gray(view, column: int, row: int) -> int:
    view.graphics.viewport().repaint()
    grabbed = view.graphics.viewport().grab().toImage()
    p = device_pos(view, column, row)
    return grabbed.pixelColor(p.x(), p.y()).red()


def test_stamp_is_shown_row_zero_at_top_column_zero_at_left(image_view, stamp_image):
    image_view.set_image(stamp_image, FULL)
    # geometry: columns grow to the right, rows grow downwards on screen
    top_left, top_right, bottom_left = (device_pos(image_view, 0, 0), device_pos(image_view, STAMP_COLS - 1, 0),
                                        device_pos(image_view, 0, STAMP_ROWS - 1))
    assert top_right.x() > top_left.x() and abs(top_right.y() - top_left.y()) <= 1
    assert bottom_left.y() > top_left.y() and abs(bottom_left.x() - top_left.x()) <= 1
    # content: the bright block is drawn where pixels (col 25, row 5) and (col 2, row 8) are,
    # not at (col 5, row 25) where a transposed or flipped picture would put it
    assert shown_gray(image_view, 25, 5) > 200
    assert shown_gray(image_view, 2, 8) > 200
    assert shown_gray(image_view, 5, 25) < 30
    assert shown_gray(image_view, 45, 2) < 30
    assert image_view.image_item.image.shape == (STAMP_ROWS, STAMP_COLS)


def test_cursor_readout_names_the_pixel_value_and_mm(image_view, stamp_image, qtbot):
    stamp_image.pixel_spacing_mm = (0.1, 0.2)  # (row, column): a swap would show
    image_view.set_image(stamp_image, FULL)
    with qtbot.waitSignal(image_view.cursorMoved, timeout=5000) as blocker:
        mouse_move(image_view.graphics.viewport(), device_pos(image_view, 37, 21))
    info = blocker.args[0]
    assert (info.column, info.row) == (37, 21)
    assert info.value == 1000 + 100 * 21 + 37
    assert info.x_mm == pytest.approx(37 * 0.2) and info.y_mm == pytest.approx(21 * 0.1)
    assert "x 37  y 21 px" in info.describe() and "value 3137" in info.describe()
    assert "(7.40, 2.10 mm)" in info.describe()


def test_zoom_in_out_fit_and_one_to_one(image_view, stamp_image):
    image_view.set_image(stamp_image, FULL)
    fitted = image_view.zoom()
    rect = image_view.visible_rect()
    img = image_view.image_scene_rect()
    assert rect.contains(img.adjusted(1e-6, 1e-6, -1e-6, -1e-6))
    image_view.zoom_by(2.0)
    assert image_view.zoom() == pytest.approx(2 * fitted, rel=1e-3)
    image_view.zoom_by(0.25)
    assert image_view.zoom() == pytest.approx(0.5 * fitted, rel=1e-3)
    image_view.zoom_1to1()
    assert image_view.zoom() == pytest.approx(1.0, rel=1e-3)
    image_view.fit()
    assert image_view.zoom() == pytest.approx(fitted, rel=1e-3)


def test_wheel_zoom_and_left_drag_pan(image_view, stamp_image, qtbot):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    image_view.set_image(stamp_image, FULL)
    vp = image_view.graphics.viewport()
    before = image_view.zoom()
    centre = QPointF(vp.width() / 2, vp.height() / 2)
    wheel = QWheelEvent(centre, QPointF(vp.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(vp, wheel)
    assert image_view.zoom() > before * 1.1
    rect = image_view.visible_rect()
    mouse_drag(vp, QPoint(250, 200), QPoint(150, 200), Qt.MouseButton.LeftButton)
    moved = image_view.visible_rect()
    assert moved.center().x() > rect.center().x() + 1  # dragging left moves the view right
    assert image_view.current_window == FULL  # panning never touches the window


def test_right_drag_changes_width_and_level(image_view, stamp_image, qtbot):
    image_view.set_image(stamp_image, Window(30000, 20000, name="start"))
    levels0 = tuple(image_view.image_item.getLevels())
    vp = image_view.graphics.viewport()
    mouse_drag(vp, QPoint(200, 200), QPoint(300, 200), Qt.MouseButton.RightButton)
    w = image_view.current_window
    assert w.width > 20000 and w.center == pytest.approx(30000)
    mouse_drag(vp, QPoint(200, 150), QPoint(200, 250), Qt.MouseButton.RightButton)
    assert image_view.current_window.center > 30000 and image_view.current_window.width == pytest.approx(w.width)
    assert tuple(image_view.image_item.getLevels()) != levels0
    assert image_view.image_item.image is stamp_image.pixels or np.array_equal(image_view.image_item.image,
                                                                                stamp_pixels())


def test_presets_set_the_item_levels_from_display_lut(image_view, stamp_image):
    from mammoviewer.gui.viewer.image_view import window_presets
    from mammoviewer.io.display import display_lut

    image_view.set_image(stamp_image)
    presets = dict(window_presets(stamp_image))
    assert {"Default", "Auto", "Full range"} <= set(presets)
    for name in ("Full range", "Auto"):
        image_view.set_window(presets[name])
        (lo, hi), lut = display_lut(stamp_image, presets[name])
        assert image_view.image_item.getLevels() == pytest.approx([lo, hi])
        assert np.array_equal(np.asarray(image_view.image_item.lut).ravel(), lut)
    assert presets["Full range"].width > presets["Auto"].width


def test_invert_flips_the_lookup_table_and_the_picture(image_view, stamp_image):
    image_view.set_image(stamp_image, FULL)
    bright = shown_gray(image_view, 25, 5)
    image_view.set_invert(True)
    assert image_view.invert
    assert shown_gray(image_view, 25, 5) < 255 - bright + 5
    assert np.array_equal(image_view.image_item.image, stamp_pixels())


def test_rotate_and_flip_change_the_display_only(image_view, stamp_image):
    image_view.set_image(stamp_image, FULL)
    image_view.rotate(1)  # clockwise: the top-left corner goes to the top-right
    tl, tr = device_pos(image_view, 0, 0), device_pos(image_view, STAMP_COLS - 1, 0)
    assert abs(tl.x() - tr.x()) <= 1 and tr.y() > tl.y()  # the first row now runs downwards
    bl = device_pos(image_view, 0, STAMP_ROWS - 1)
    assert bl.x() < tl.x()
    assert shown_gray(image_view, 25, 5) > 200 and shown_gray(image_view, 5, 25) < 30
    assert image_view.orientation == (1, False, False)
    image_view.reset_orientation()
    image_view.flip_horizontal()
    tl, tr = device_pos(image_view, 0, 0), device_pos(image_view, STAMP_COLS - 1, 0)
    assert tl.x() > tr.x()
    image_view.flip_vertical()
    tl, bl = device_pos(image_view, 0, 0), device_pos(image_view, 0, STAMP_ROWS - 1)
    assert tl.y() > bl.y()
    # the pixels are never touched
    assert np.array_equal(stamp_image.pixels, stamp_pixels())
    assert np.array_equal(image_view.image_item.image, stamp_pixels())
    assert image_view.image_item.image[0, 0] == STAMP_BRIGHT
    image_view.set_image(stamp_image, FULL)  # the next image opens upright
    assert image_view.orientation == (0, False, False)
    assert device_pos(image_view, STAMP_COLS - 1, 0).x() > device_pos(image_view, 0, 0).x()


def test_overlay_follows_pixel_coordinates(image_view, stamp_image):
    from PySide6.QtWidgets import QGraphicsRectItem

    image_view.set_image(stamp_image, FULL)
    box = QGraphicsRectItem(10, 20, 5, 5)  # x = column, y = row
    image_view.add_overlay(box)
    image_view.rotate(1)
    centre = box.mapToScene(box.rect().center())
    assert image_view.pixel_at_scene(centre) == (12, 22)
    image_view.remove_overlay(box)
    assert box.scene() is None and image_view.overlays == []


def test_wl_mode_makes_the_left_drag_change_the_window(image_view, stamp_image):
    image_view.set_image(stamp_image, Window(30000, 20000, name="start"))
    rect = image_view.visible_rect()
    image_view.set_wl_mode(True)
    mouse_drag(image_view.graphics.viewport(), QPoint(200, 200), QPoint(260, 200), Qt.MouseButton.LeftButton)
    assert image_view.current_window.width > 20000
    assert image_view.visible_rect() == rect  # no pan in W/L mode


# -- physical aspect ------------------------------------------------------------------------------------
def test_aspect_scale_stretches_the_coarser_axis():
    from mammoviewer.gui.viewer.image_view import aspect_scale

    assert aspect_scale(None) == (1.0, 1.0) and aspect_scale((0.2, 0.2)) == (1.0, 1.0)
    sx, sy = aspect_scale((0.363, 0.209))  # (row, column) mm
    assert sx == pytest.approx(1.0) and sy == pytest.approx(0.363 / 0.209)
    assert aspect_scale((0.1, 0.3)) == pytest.approx((3.0, 1.0))


def test_an_anisotropic_film_is_drawn_at_its_physical_aspect_with_its_overlays_and_mm_readout(image_view):
    """A DDSM-like film, 640 x 640 pixels of 0.363 mm rows and 0.209 mm columns, is drawn 1.74 times taller
    than wide; a 20 x 20 mm box over it is square on screen; equal screen steps read equal mm."""
    import pyqtgraph as pg
    from PySide6.QtCore import QRectF

    from mammoviewer.io.image import Image

    rows = cols = 640
    px = np.tile(np.arange(cols, dtype=np.uint16), (rows, 1)) * 50
    film = Image(path="ddsm.dcm", format="dicom", pixels=px, bits_stored=16, pixel_spacing_mm=(0.363, 0.209))
    image_view.resize(600, 600)
    image_view.set_image(film, FULL)
    shown = image_view.image_scene_rect()
    assert shown.height() / shown.width() == pytest.approx(0.363 / 0.209, rel=1e-3)  # not a 640 x 640 square
    # a box of 20 mm x 20 mm in pixel coordinates (as findings and measurements are kept) is square on screen
    box = pg.RectROI((100, 100), (20 / 0.209, 20 / 0.363))
    image_view.add_overlay(box)
    a, b = device_pos(image_view, 100, 100), device_pos(image_view, 100 + 20 / 0.209, 100 + 20 / 0.363)
    assert abs(b.x() - a.x()) == pytest.approx(abs(b.y() - a.y()), abs=2)
    assert image_view.image_item.mapRectToScene(QRectF(100, 100, 20 / 0.209, 20 / 0.363)).width() == pytest.approx(
        image_view.image_item.mapRectToScene(QRectF(100, 100, 20 / 0.209, 20 / 0.363)).height(), rel=0.01)
    # the mm readout in the same frame: 120 screen pixels right or down are the same distance in mm
    readouts = {}
    for name, pos in (("o", QPoint(200, 200)), ("x", QPoint(320, 200)), ("y", QPoint(200, 320))):
        col, row = image_view.pixel_at_scene(image_view.graphics.mapToScene(pos))
        readouts[name] = image_view.cursor_info(col, row)
    dx = readouts["x"].x_mm - readouts["o"].x_mm
    dy = readouts["y"].y_mm - readouts["o"].y_mm
    assert dx == pytest.approx(dy, abs=0.8) and dx > 10  # within a pixel of the coarser axis
    # rotation keeps the aspect: turned a quarter, the film is wider than tall
    image_view.rotate(1)
    turned = image_view.image_scene_rect()
    assert turned.width() / turned.height() == pytest.approx(0.363 / 0.209, rel=1e-3)

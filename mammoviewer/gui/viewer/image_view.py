"""The image canvas: a pyqtgraph ImageItem with window/level, zoom, pan, display
orientation and a cursor readout, with room for overlay items.

Display goes through ``mammoviewer.io.display.display_lut`` only: the raw pixels
are handed to the ImageItem once, and a window change sets the item's levels and
256-entry lookup table (no re-render of the array in Python, no auto-downsample).

Mouse: wheel zooms, left-drag pans, right-drag (or left-drag in W/L mode) changes
the window: horizontal = width, vertical = level (centre).

A film whose rows and columns are spaced differently (``pixel_spacing_mm`` = (row, column), e.g. a
DDSM film at 0.363 x 0.209 mm) is drawn at its physical aspect, as OHIF and Weasis do: the item's
transform stretches the coarser axis (:func:`aspect_scale`), and overlays, being children of the
item in pixel coordinates, follow in the same frame. View units are pixels of the finer axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QGraphicsItem, QLabel, QStackedLayout, QWidget

from mammoviewer.io.image import Image, Window

#: screen pixels of drag that sweep the window over the image's whole value range
DRAG_SPAN_PX = 600.0
BACKGROUND = "#000000"
EMPTY_TEXT = "Open a mammogram: File \u203a Open (Ctrl+O), Open Folder, or drop files here"


@dataclass(frozen=True, slots=True)
class CursorInfo:
    """What lies under the cursor: pixel indices, value and position in mm (if known),
    measured from the centre of pixel (0, 0)."""

    column: int
    row: int
    value: float
    x_mm: float | None = None
    y_mm: float | None = None

    def describe(self) -> str:
        value = f"{self.value:g}"
        text = f"x {self.column}  y {self.row} px"
        if self.x_mm is not None and self.y_mm is not None:
            text += f"  ({self.x_mm:.2f}, {self.y_mm:.2f} mm)"
        return f"{text}  value {value}"


def aspect_scale(spacing_mm: tuple[float, float] | None) -> tuple[float, float]:
    """``(x scale, y scale)`` that draws pixels of ``spacing_mm`` = (row, column) mm at their physical
    aspect, the finer axis kept at one view unit per pixel; (1, 1) without a usable spacing."""
    if not spacing_mm or len(spacing_mm) != 2:
        return 1.0, 1.0
    row, col = (float(v) for v in spacing_mm)
    if not (row > 0 and col > 0) or abs(row / col - 1.0) < 1e-3:
        return 1.0, 1.0
    finer = min(row, col)
    return col / finer, row / finer


def default_display_window(image: Image) -> Window | None:
    """The window an image opens in: None (= the file's VOI LUT) when it has one,
    else ``display.default_window`` (its first window, or Auto)."""
    from mammoviewer.io.display import default_window

    return None if image.voi_luts else default_window(image)


def window_presets(image: Image) -> list[tuple[str, Window | None]]:
    """The windows offered for ``image``: Default (the file's first VOI LUT or window),
    the file's own windows by name, Auto and Full range. None stands for the VOI LUT."""
    from mammoviewer.io.display import auto_window, full_window

    presets: list[tuple[str, Window | None]] = [("Default", default_display_window(image))]
    for i, win in enumerate(image.windows):
        label = win.name or f"Window {i + 1}"
        presets.append((f"{label} (C {win.center:g} / W {win.width:g})", win))
    presets.append(("Auto", auto_window(image)))
    presets.append(("Full range", full_window(image)))
    return presets


class CanvasViewBox(pg.ViewBox):
    """ViewBox whose right-drag (or left-drag in W/L mode) adjusts the window."""

    #: (dx, dy) in screen pixels since the previous drag event
    windowDragged = Signal(float, float)
    windowDragFinished = Signal()

    def __init__(self) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self.wl_mode = False
        self.setMouseMode(pg.ViewBox.PanMode)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 (Qt naming)
        # pyqtgraph maps the drag through a matrix it refreshes only when painting; events
        # can arrive before the next paint (fast input, offscreen), so refresh it first
        self.prepareForPaint()
        button = ev.button()
        if button == Qt.MouseButton.RightButton or (button == Qt.MouseButton.LeftButton and self.wl_mode):
            ev.accept()
            delta = ev.screenPos() - ev.lastScreenPos()
            self.windowDragged.emit(float(delta.x()), float(delta.y()))
            if ev.isFinish():
                self.windowDragFinished.emit()
            return
        super().mouseDragEvent(ev, axis)


class ImageView(QWidget):
    """Canvas for one image. Overlays added with :meth:`add_overlay` live in pixel
    coordinates (x = column, y = row, origin top-left) and follow zoom and rotation.

    Signals: ``cursorMoved(CursorInfo | None)``, ``windowChanged(Window | None)`` (None: the
    file's VOI LUT),
    ``displayChanged()`` (invert/rotate/flip), ``viewChanged()`` (zoom or pan),
    ``imageShown(Image)``.
    """

    cursorMoved = Signal(object)
    windowChanged = Signal(object)
    displayChanged = Signal()
    viewChanged = Signal()
    imageShown = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: Image | None = None
        self._window: Window | None = None
        self._invert = False
        self._quarter_turns = 0
        self._flip_h = False
        self._flip_v = False
        self._value_span = 1.0
        self._overlays: list[QGraphicsItem] = []

        self.graphics = pg.GraphicsView(background=BACKGROUND)
        self.graphics.setAcceptDrops(False)  # drops go to the main window
        self.view_box = CanvasViewBox()
        self.view_box.disableAutoRange()  # the view fits on open and on F, never by itself
        self.graphics.setCentralItem(self.view_box)
        self.image_item = pg.ImageItem(axisOrder="row-major", autoDownsample=False)
        self.view_box.addItem(self.image_item)

        self.placeholder = QLabel(EMPTY_TEXT)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAcceptDrops(False)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.placeholder)
        self._stack.addWidget(self.graphics)

        self.view_box.windowDragged.connect(self._on_window_drag)
        self.view_box.sigRangeChanged.connect(lambda *_: self.viewChanged.emit())
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- image -------------------------------------------------------------------------
    @property
    def image(self) -> Image | None:
        return self._image

    @property
    def current_window(self) -> Window | None:
        """The window in use; None means the file's first VOI LUT."""
        return self._window

    def set_image(self, image: Image, window: Window | None = None) -> None:
        """Show ``image`` (raw pixels, never modified) fitted, upright, in ``window`` or its
        default; invert stays as the user set it."""
        self._image = image
        self._quarter_turns, self._flip_h, self._flip_v = 0, False, False
        self._window = window if window is not None else default_display_window(image)
        px = image.pixels
        lo, hi = (float(px.min()), float(px.max())) if px.size else (0.0, 1.0)
        self._value_span = max(hi - lo, 1.0)
        levels, lut = self._lut()
        self.image_item.setImage(px, autoLevels=False, levels=levels, lut=lut, autoDownsample=False)
        self._apply_transform()
        self._stack.setCurrentWidget(self.graphics)
        self.fit()
        self.windowChanged.emit(self._window)
        self.imageShown.emit(image)

    def clear(self, message: str | None = None) -> None:
        """Drop the image and show the empty state (with ``message`` if given)."""
        self._image = None
        self._window = None
        self.image_item.clear()
        self.placeholder.setText(message or EMPTY_TEXT)
        self._stack.setCurrentWidget(self.placeholder)
        self.cursorMoved.emit(None)

    # -- window / level --------------------------------------------------------------
    def _lut(self) -> tuple[tuple[float, float], np.ndarray]:
        from mammoviewer.io.display import display_lut

        assert self._image is not None
        levels, lut = display_lut(self._image, self._window, invert=self._invert)
        return (float(levels[0]), float(levels[1])), lut

    def _refresh_lut(self) -> None:
        if self._image is None:
            return
        levels, lut = self._lut()
        self.image_item.setLookupTable(lut, update=True)  # schedules one repaint; no array work
        self.image_item.setLevels(levels, update=True)

    def set_window(self, window: Window | None) -> None:
        """Display through ``window`` (modality units); None = the file's VOI LUT."""
        if self._image is None:
            return
        self._window = window
        self._refresh_lut()
        self.windowChanged.emit(window)

    def adjust_window(self, d_width: float, d_center: float) -> None:
        """Change the current window by ``d_width`` and ``d_center`` (modality units)."""
        if self._image is None:
            return
        w = self._window
        if w is None:  # leaving the VOI LUT: start from its input range
            lo, hi = self.image_item.getLevels()
            function, center, width = "LINEAR", (lo + hi) / 2.0, hi - lo
        else:
            function, center, width = w.function, w.center, w.width
        self.set_window(Window(center + d_center, max(1.0, width + d_width), name="Custom", function=function))

    def _on_window_drag(self, dx: float, dy: float) -> None:
        scale = self._value_span / DRAG_SPAN_PX
        self.adjust_window(dx * scale, dy * scale)

    def set_wl_mode(self, on: bool) -> None:
        """When on, left-drag adjusts the window instead of panning."""
        self.view_box.wl_mode = bool(on)

    @property
    def invert(self) -> bool:
        return self._invert

    def set_invert(self, on: bool) -> None:
        """Invert the display (on top of any MONOCHROME1 inversion)."""
        self._invert = bool(on)
        self._refresh_lut()
        self.displayChanged.emit()

    # -- display orientation (pixels are never touched) --------------------------------
    @property
    def orientation(self) -> tuple[int, bool, bool]:
        """(clockwise quarter turns, flipped horizontally, flipped vertically)."""
        return self._quarter_turns, self._flip_h, self._flip_v

    def rotate(self, quarter_turns: int = 1) -> None:
        """Rotate the display by 90 degrees per turn, clockwise for positive values."""
        self._quarter_turns = (self._quarter_turns + quarter_turns) % 4
        self._apply_transform(refit=True)

    def flip_horizontal(self) -> None:
        self._flip_h = not self._flip_h
        self._apply_transform(refit=True)

    def flip_vertical(self) -> None:
        self._flip_v = not self._flip_v
        self._apply_transform(refit=True)

    def reset_orientation(self) -> None:
        self._quarter_turns, self._flip_h, self._flip_v = 0, False, False
        self._apply_transform(refit=True)

    def _apply_transform(self, refit: bool = False) -> None:
        rows, cols = (self._image.rows, self._image.columns) if self._image is not None else (0, 0)
        sx, sy = aspect_scale(self._image.pixel_spacing_mm if self._image is not None else None)
        # applied to a pixel point right to left: centre on the origin, physical aspect, rotate, flip on screen
        tr = QTransform()
        tr.scale(-1.0 if self._flip_h else 1.0, -1.0 if self._flip_v else 1.0)
        tr.rotate(90.0 * self._quarter_turns)
        tr.scale(sx, sy)
        tr.translate(-cols / 2.0, -rows / 2.0)
        self.image_item.setTransform(tr)
        if refit and self._image is not None:
            self.fit()
        self.displayChanged.emit()

    # -- zoom / pan --------------------------------------------------------------------
    def fit(self) -> None:
        """Fit the whole image in the view (F)."""
        if self._image is None:
            return
        self.view_box.autoRange(items=[self.image_item], padding=0.0)
        self.view_box.prepareForPaint()

    def zoom(self) -> float:
        """Screen pixels per image pixel (1.0 = 1:1; along the finer axis of a film drawn at its aspect)."""
        rect = self.view_box.viewRect()
        return float(self.view_box.width() / rect.width()) if rect.width() > 0 else 1.0

    def set_zoom(self, zoom: float) -> None:
        """Show ``zoom`` screen pixels per image pixel, keeping the view centre."""
        rect = self.view_box.viewRect()
        cx, cy = rect.center().x(), rect.center().y()
        half_w = self.view_box.width() / zoom / 2.0
        half_h = self.view_box.height() / zoom / 2.0
        self.view_box.setRange(xRange=(cx - half_w, cx + half_w), yRange=(cy - half_h, cy + half_h), padding=0.0)
        self.view_box.prepareForPaint()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out (factor < 1) about the view centre."""
        self.set_zoom(self.zoom() * factor)

    def zoom_1to1(self) -> None:
        """One image pixel per screen pixel (1)."""
        self.set_zoom(1.0)

    def visible_rect(self) -> QRectF:
        """The visible region in scene (view) coordinates."""
        return self.view_box.viewRect()

    def image_scene_rect(self) -> QRectF:
        """The image's bounding rectangle in view coordinates."""
        return self.image_item.mapRectToParent(self.image_item.boundingRect())

    # -- cursor ------------------------------------------------------------------------
    def pixel_at_scene(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(column, row) of the pixel under a scene position, or None outside the image."""
        if self._image is None:
            return None
        self.view_box.prepareForPaint()  # the view matrix may lag behind a resize until painted
        p = self.image_item.mapFromScene(scene_pos)
        col, row = int(np.floor(p.x())), int(np.floor(p.y()))
        if 0 <= row < self._image.rows and 0 <= col < self._image.columns:
            return col, row
        return None

    def scene_pos_of_pixel(self, column: float, row: float) -> QPointF:
        """Scene position of the centre of pixel (column, row)."""
        self.view_box.prepareForPaint()
        return self.image_item.mapToScene(QPointF(column + 0.5, row + 0.5))

    def cursor_info(self, column: int, row: int) -> CursorInfo:
        assert self._image is not None
        value = float(self._image.pixels[row, column])
        spacing = self._image.pixel_spacing_mm
        if spacing:
            return CursorInfo(column, row, value, column * spacing[1], row * spacing[0])
        return CursorInfo(column, row, value)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        pixel = self.pixel_at_scene(scene_pos)
        self.cursorMoved.emit(self.cursor_info(*pixel) if pixel else None)

    # -- overlays ----------------------------------------------------------------------
    def add_overlay(self, item: QGraphicsItem) -> None:
        """Add an item drawn in pixel coordinates (x = column, y = row); it follows the
        display transform. Remove it with :meth:`remove_overlay`."""
        item.setParentItem(self.image_item)
        self._overlays.append(item)

    def remove_overlay(self, item: QGraphicsItem) -> None:
        if item in self._overlays:
            self._overlays.remove(item)
        scene = item.scene()
        if scene is not None:
            scene.removeItem(item)

    @property
    def overlays(self) -> list[QGraphicsItem]:
        return list(self._overlays)

"""Measuring on a film: a ruler in mm and an ellipse with its mean, sd and area.

Shift+R (ruler) or Shift+O (ellipse) arms the tool: the next left-drag on the film draws it from the
press to the release, instead of panning (:class:`MeasureDragLayer`; Esc disarms). The tools are
pyqtgraph ROIs over the film (drag the ends or the handles afterwards); each label is recomputed by
``geometry.measure`` as it moves, says when the pixel spacing is assumed, and is kept inside the pane
(placed as the findings' captions are). On the film under
review they are kept in the review store with the film (``review.measurements``): adding, moving
(at the end of a drag) and clearing are undoable steps like the findings' edits.
"""

from __future__ import annotations

from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter

from mammoviewer.geometry.measure import describe_length, ellipse_stats, ruler_mm, spacing_for
from mammoviewer.gui.review.caption_view import place_on_view
from mammoviewer.gui.viewer.image_view import ImageView, aspect_scale
from mammoviewer.review import Box
from mammoviewer.review.keys import image_key
from mammoviewer.review.measurements import Measurement, SetMeasurements, measurements_of

PEN = pg.mkPen("#40c8ff", width=2, cosmetic=True)
#: the shortest drag (film pixels) that draws a measurement; shorter ones are taken as slips
MIN_DRAG = 3.0
#: what the status bar says while a tool is armed
ARMED_TEXT = {"ruler": "Ruler \u00b7 drag on the film from one end to the other \u00b7 Esc cancel",
              "ellipse": "Ellipse \u00b7 drag on the film across the region \u00b7 Esc cancel"}


class MeasureDragLayer(pg.GraphicsObject):
    """Transparent item over the film; while armed (``"ruler"`` or ``"ellipse"``) a left-drag drafts the
    tool and reports ``dragged(kind, start, end)`` (film pixels) at the release, then disarms."""

    dragged = Signal(str, object, object)
    armedChanged = Signal(str)  # the kind, "" when disarmed

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self.kind = ""
        self._draft: tuple[QPointF, QPointF] | None = None
        self.setZValue(40)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def set_image_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def arm(self, kind: str) -> None:
        self.prepareGeometryChange()  # the bounding rectangle is empty while disarmed
        self.kind, self._draft = kind, None
        self.setCursor(Qt.CursorShape.CrossCursor if kind else Qt.CursorShape.ArrowCursor)
        self.update()
        self.armedChanged.emit(kind)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return QRectF(self._rect) if self.kind else QRectF()

    def paint(self, painter: QPainter, *args) -> None:
        if self._draft is None:
            return
        pen = pg.mkPen("#40c8ff", width=2, style=Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        a, b = self._draft
        if self.kind == "ruler":
            painter.drawLine(QLineF(a, b))
        else:
            painter.drawEllipse(QRectF(a, b).normalized())

    def _inside(self, p: QPointF) -> QPointF:
        r = self._rect
        return QPointF(min(max(p.x(), r.left()), r.right()), min(max(p.y(), r.top()), r.bottom()))

    def hoverEvent(self, ev) -> None:  # noqa: N802
        if self.kind and not ev.isExit():
            ev.acceptDrags(Qt.MouseButton.LeftButton)  # the drag is the tool's, even over a finding's box

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        ev.ignore()

    def mouseDragEvent(self, ev) -> None:  # noqa: N802
        if not self.kind or ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        a, b = self._inside(ev.buttonDownPos()), self._inside(ev.pos())
        self._draft = (a, b)
        self.update()
        if ev.isFinish():
            kind = self.kind
            self.arm("")
            if max(abs(b.x() - a.x()), abs(b.y() - a.y())) >= MIN_DRAG:
                self.dragged.emit(kind, (a.x(), a.y()), (b.x(), b.y()))


class Measurements(QObject):
    """The rulers and ellipses drawn on one view; kept in the review store (undoable) when the view
    shows the film under review, else drawn for the moment only."""

    def __init__(self, view: ImageView, review: Any = None) -> None:
        super().__init__(view)
        self.view, self.review = view, review
        self.items: list[tuple[pg.ROI, pg.TextItem, str]] = []
        self._unsubscribe: Callable[[], None] | None = None
        self._doc_id: int | None = None
        self.layer = MeasureDragLayer()
        self.layer.dragged.connect(self._on_dragged)
        view.imageShown.connect(lambda image: self.sync())
        view.imageShown.connect(lambda image: self.cancel())
        view.viewChanged.connect(self.place_labels)

    # -- the review ------------------------------------------------------------------
    def _doc(self) -> Any:
        """The review document of the film on this view, if the review is on this view."""
        r = self.review
        if r is None or r.film is None or r.overlay.view is not self.view or self.view.image is None:
            return None
        return r.film.doc if r.film.doc.key == image_key(self.view.image.path) else None

    def sync(self) -> None:
        """Draw what the store holds for the film on this view (nothing when it is not under review)."""
        doc = self._doc()
        if doc is None or id(doc) != self._doc_id:
            if self._unsubscribe is not None:
                self._unsubscribe()
            self._unsubscribe, self._doc_id = None, None
            if doc is not None:
                self._unsubscribe, self._doc_id = doc.subscribe(lambda d, change: self._redraw(d)), id(doc)
        self._redraw(doc)

    def _redraw(self, doc: Any) -> None:
        if doc is not None and self.items and self.current() == measurements_of(doc):
            return  # drawn as stored (the end of a drag): keep the items the reader holds
        self._remove_items()
        for m in measurements_of(doc) if doc is not None else ():
            self._draw(m)

    def _push(self, after: tuple[Measurement, ...]) -> None:
        doc = self._doc()
        before = measurements_of(doc)
        if after != before:
            self.review.push(SetMeasurements(before, after))

    def current(self) -> tuple[Measurement, ...]:
        """The measurements as drawn now."""
        out = []
        for roi, _label, kind in self.items:
            if kind == "ruler":
                a, b = (roi.mapToParent(h.pos()) for h in roi.getHandles()[:2])
                out.append(Measurement(kind, (a.x(), a.y(), b.x(), b.y())))
            else:
                pos, size = roi.pos(), roi.size()
                out.append(Measurement(kind, (pos.x(), pos.y(), pos.x() + size.x(), pos.y() + size.y())))
        return tuple(out)

    # -- tools -----------------------------------------------------------------------
    def _spacing(self):
        image = self.view.image
        assert image is not None
        return spacing_for(image.pixel_spacing_mm, image.rows)

    def _visible_box(self) -> tuple[float, float, float, float]:
        """The middle quarter of what is on screen, in film pixels."""
        rect = self.view.image_item.mapRectFromParent(self.view.view_box.viewRect())
        image = self.view.image
        x0, x1 = max(rect.left(), 0.0), min(rect.right(), float(image.columns))
        y0, y1 = max(rect.top(), 0.0), min(rect.bottom(), float(image.rows))
        w, h = x1 - x0, y1 - y0
        return x0 + w * 0.375, y0 + h * 0.375, x0 + w * 0.625, y0 + h * 0.625

    def arm(self, kind: str) -> bool:
        """Shift+R / Shift+O: the next left-drag on the film draws a ``"ruler"`` or an ``"ellipse"``."""
        image = self.view.image
        if image is None:
            return False
        self.layer.set_image_rect(QRectF(0, 0, image.columns, image.rows))
        if self.layer.parentItem() is None:  # first use, or the view dropped its overlays
            self.view.add_overlay(self.layer)
        self.layer.arm(kind)
        return True

    def arm_ruler(self) -> bool:
        return self.arm("ruler")

    def arm_ellipse(self) -> bool:
        return self.arm("ellipse")

    def cancel(self) -> bool:
        """Esc: disarm; False when no tool was armed."""
        if not self.layer.kind:
            return False
        self.layer.arm("")
        return True

    @property
    def armed(self) -> str:
        """The armed tool ("ruler", "ellipse") or ""."""
        return self.layer.kind

    def _on_dragged(self, kind: str, start: tuple[float, float], end: tuple[float, float]) -> None:
        if kind == "ruler":
            self.add_ruler(start, end)
        else:
            (x0, y0), (x1, y1) = start, end
            self.add_ellipse((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))

    def place_labels(self) -> None:
        """Every label inside the pane, clear of the others (the findings' caption placement)."""
        entries = []
        for i, (roi, label, kind) in enumerate(self.items):
            if kind == "ruler":
                a, b = (roi.mapToParent(h.pos()) for h in roi.getHandles()[:2])
                box = Box(min(a.x(), b.x()), min(a.y(), b.y()), max(a.x(), b.x()) + 1e-3, max(a.y(), b.y()) + 1e-3)
            else:
                pos, size = roi.pos(), roi.size()
                box = Box(pos.x(), pos.y(), pos.x() + max(size.x(), 1e-3), pos.y() + max(size.y(), 1e-3))
            entries.append((str(i), box, label))
        if entries and self.view.isVisible():
            place_on_view(self.view, entries)

    def add_ruler(self, start: tuple[float, float] | None = None, end: tuple[float, float] | None = None):
        """A ruler from ``start`` to ``end`` (film pixels; default: across the middle of the view)."""
        if self.view.image is None:
            return None
        if start is None or end is None:
            x0, y0, x1, y1 = self._visible_box()
            start, end = (x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)
        return self._add(Measurement("ruler", (*start, *end)))

    def add_ellipse(self, box: tuple[float, float, float, float] | None = None):
        """An ellipse inscribed in ``box`` (x0, y0, x1, y1 in film pixels; default: the view's middle)."""
        if self.view.image is None:
            return None
        return self._add(Measurement("ellipse", box or self._visible_box()))

    def _add(self, m: Measurement):
        if self._doc() is not None:
            self._push(self.current() + (m,))  # the store notifies: redrawn from it
        else:
            self._draw(m)
        return self.items[-1][0] if self.items else None

    def clear(self) -> None:
        """Remove every measurement (undoable when kept in the review)."""
        if self._doc() is not None and self.items:
            self._push(())
        self._remove_items()

    def _draw(self, m: Measurement) -> None:
        x0, y0, x1, y1 = m.points
        if m.kind == "ruler":
            roi, update = pg.LineSegmentROI([(x0, y0), (x1, y1)], pen=PEN), self._update_ruler
        else:
            roi, update = pg.EllipseROI((x0, y0), (x1 - x0, y1 - y0), pen=PEN), self._update_ellipse
        label = pg.TextItem("", color="#40c8ff", anchor=(0, 1), fill=pg.mkBrush(0, 0, 0, 170))
        roi.setZValue(30)
        self.view.add_overlay(roi)
        self.view.add_overlay(label)
        label.setZValue(31)
        roi.sigRegionChanged.connect(lambda r, lb=label: update(r, lb))
        roi.sigRegionChangeFinished.connect(lambda r: self._on_moved())
        self.items.append((roi, label, m.kind))
        update(roi, label)

    def _on_moved(self) -> None:
        if self._doc() is not None:
            self._push(self.current())

    def _update_ruler(self, roi: pg.LineSegmentROI, label: pg.TextItem) -> None:
        a, b = (roi.mapToParent(h.pos()) for h in roi.getHandles()[:2])
        spacing = self._spacing()
        label.setText(describe_length(ruler_mm((a.x(), a.y()), (b.x(), b.y()), spacing), spacing))
        label.setPos(QPointF(b.x(), b.y()))
        self.place_labels()

    def _update_ellipse(self, roi: pg.EllipseROI, label: pg.TextItem) -> None:
        pos, size = roi.pos(), roi.size()
        x0, y0 = pos.x(), pos.y()
        stats = ellipse_stats(self.view.image.pixels, x0, y0, x0 + size.x(), y0 + size.y(), self._spacing())
        label.setText(stats.describe())
        label.setPos(QPointF(x0, y0))
        self.place_labels()

    def texts(self) -> list[str]:
        """The labels of the measurements, in the order drawn."""
        return [label.toPlainText() for _, label, _ in self.items]

    def _remove_items(self) -> None:
        for roi, label, _ in self.items:
            self.view.remove_overlay(roi)
            self.view.remove_overlay(label)
        self.items = []


class Magnifier(QObject):
    """A magnifying glass: the film around the cursor, ``zoom`` times larger, in the view's window."""

    def __init__(self, view: ImageView, radius: int = 48, zoom: float = 3.0) -> None:
        from PySide6.QtWidgets import QLabel

        super().__init__(view)
        self.view, self.radius, self.zoom = view, int(radius), float(zoom)
        self.glass = QLabel(view.graphics.viewport())
        self.glass.setStyleSheet("QLabel { border: 2px solid #40c8ff; background: black; }")
        self.glass.hide()
        self.enabled = False
        view.graphics.scene().sigMouseMoved.connect(self._on_moved)

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if not on:
            self.glass.hide()

    def _on_moved(self, scene_pos: QPointF) -> None:
        if not self.enabled:
            return
        pixel = self.view.pixel_at_scene(scene_pos)
        if pixel is None:
            self.glass.hide()
            return
        self.show_at(*pixel, self.view.graphics.mapFromScene(scene_pos))

    def show_at(self, column: int, row: int, where=None) -> None:
        """Show the glass over film pixel (column, row), near viewport point ``where``."""
        import numpy as np
        from PySide6.QtGui import QImage, QPixmap

        from mammoviewer.io.display import display_lut, lut_indices

        image = self.view.image
        if image is None:
            self.glass.hide()
            return
        # a square of the breast, not of pixels: fewer rows (or columns) along the coarser axis
        sx, sy = aspect_scale(image.pixel_spacing_mm)
        rc, rr = max(int(round(self.radius / sx)), 1), max(int(round(self.radius / sy)), 1)
        crop = image.pixels[max(row - rr, 0): max(row + rr, 0), max(column - rc, 0): max(column + rc, 0)]
        if crop.size == 0:  # off the film (a point outside a tiny film)
            self.glass.hide()
            return
        # display_lut's levels are finite and ordered whatever the window (io.display.safe_window)
        levels, lut = display_lut(image, self.view.current_window, invert=self.view.invert)
        picture = np.ascontiguousarray(lut[lut_indices(crop, levels, len(lut))])
        turns, flip_h, flip_v = self.view.orientation
        picture = np.rot90(picture, -turns)
        picture = np.ascontiguousarray(picture[:, ::-1] if flip_h else picture)
        picture = np.ascontiguousarray(picture[::-1] if flip_v else picture)
        if turns % 2:
            sx, sy = sy, sx
        h, w = picture.shape
        qimage = QImage(picture.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
        width, height = max(int(w * sx * self.zoom), 1), max(int(h * sy * self.zoom), 1)
        self.glass.setPixmap(QPixmap.fromImage(qimage).scaled(width, height))
        self.glass.resize(width + 4, height + 4)
        if where is not None:
            self.glass.move(where.x() + 16, where.y() + 16)
        self.glass.show()
        self.glass.raise_()

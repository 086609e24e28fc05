"""Findings drawn over the film: one editable box (pyqtgraph ROI) per finding, and a draw tool.

:class:`FindingOverlay` shows a list of :class:`~mammoviewer.review.Finding` on an
:class:`~mammoviewer.gui.viewer.image_view.ImageView` and reports what the reader does with the
mouse; it never edits findings itself (the controller turns reports into undoable
commands):

* ``boxEdited(finding_id, before: Box, after: Box)``: one move/resize, emitted once at
  the end of a drag (``sigRegionChangeStarted`` records the box, ``sigRegionChangeFinished``
  reports it);
* ``boxDrawn(Box)``: a new box dragged out in draw mode;
* ``findingClicked(finding_id)``.

Colour = class (benign green, malignant red); line = source (model solid, reader-added
dashed, reader-edited model box dash-dot); accepted boxes are thicker, rejected ones grey
and dotted. Pending model candidates below the threshold are hidden; the reader's decisions always show.
"""

from __future__ import annotations

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen

from mammoviewer.gui.review.caption_view import place_on_view
from mammoviewer.gui.viewer.image_view import ImageView
from mammoviewer.review import Box, Finding
from mammoviewer.review.truth import is_pending

CLASS_COLOURS = {"benign": QColor(70, 200, 110), "malignant": QColor(255, 80, 70)}
REJECTED_COLOUR = QColor(150, 150, 150)
SELECTED_COLOUR = QColor(255, 230, 80)
#: smallest box side (pixels) a drawn box must have; smaller drags are taken as slips
MIN_DRAWN_SIDE = 3.0
#: corner and edge handles of the selected box: (handle position, fixed point), in box fractions
_HANDLES = (((1, 1), (0, 0)), ((0, 0), (1, 1)), ((1, 0), (0, 1)), ((0, 1), (1, 0)),
            ((0.5, 0), (0.5, 1)), ((0.5, 1), (0.5, 0)), ((0, 0.5), (1, 0.5)), ((1, 0.5), (0, 0.5)))


def finding_caption(f: Finding) -> str:
    """The label drawn at a box: class, score (model findings) and state, e.g. ``"malignant 0.87"``."""
    from mammoviewer.gui.review.case_score_text import score_text  # (it imports this module)

    text = f.label if f.score is None else f"{f.label} {score_text(f.score)}"  # never "0.00" or "1.00"
    if f.source == "reader":
        text += " (reader)"
    elif f.edited:
        text += " (edited)"
    if f.status != "pending":
        text += f" \u2013 {f.status}"
    return text


def finding_pen(f: Finding, selected: bool = False) -> QPen:
    """The pen a finding's box is drawn with (see the module docstring)."""
    colour = REJECTED_COLOUR if f.status == "rejected" else CLASS_COLOURS[f.label]
    style = Qt.PenStyle.SolidLine
    if f.status == "rejected":
        style = Qt.PenStyle.DotLine
    elif f.source == "reader":
        style = Qt.PenStyle.DashLine
    elif f.edited:
        style = Qt.PenStyle.DashDotLine
    width = 3 if (selected or f.status == "accepted") else 2
    pen = pg.mkPen(SELECTED_COLOUR if selected else colour, width=width, style=style)
    pen.setCosmetic(True)
    return pen


def is_shown(f: Finding, threshold: float) -> bool:
    """The threshold filters pending model candidates only: they show at or above ``threshold``.
    The reader's decisions (accepted, rejected, drawn) and imported truth always show."""
    return not is_pending(f) or f.source != "model" or f.score is None or f.score >= threshold


class FindingBox(pg.ROI):
    """The editable box of one finding, with its caption; handles show when selected."""

    def __init__(self, finding: Finding, bounds: QRectF) -> None:
        b = finding.box
        super().__init__((b.x0, b.y0), (b.width, b.height), movable=True, rotatable=False,
                         resizable=False, removable=False, maxBounds=bounds)
        self.finding_id = finding.id
        self.finding = finding
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setZValue(10)
        self.caption = pg.TextItem("", anchor=(0, 1), fill=pg.mkBrush(0, 0, 0, 160))
        self.caption.setParentItem(self)
        self.drag_start: Box | None = None
        self.selected = False
        self.caption_spot = "above"
        self.show_finding(finding, selected=False)

    def box(self) -> Box:
        """The box as it is drawn now (canonical pixels)."""
        pos, size = self.pos(), self.size()
        return Box(pos.x(), pos.y(), pos.x() + size.x(), pos.y() + size.y())

    def show_finding(self, f: Finding, selected: bool) -> None:
        """Draw ``f`` (geometry set without signalling a drag end, so nothing echoes back)."""
        self.finding, self.selected = f, selected
        if self.box() != f.box:
            self.blockSignals(True)
            try:
                self.setPos((f.box.x0, f.box.y0), update=False, finish=False)
                self.setSize((f.box.width, f.box.height), update=True, finish=False)
            finally:
                self.blockSignals(False)
        pen = finding_pen(f, selected)
        self.setPen(pen)
        self.hoverPen = pg.mkPen(pen.color().lighter(130), width=pen.widthF() + 1, style=pen.style())
        self.hoverPen.setCosmetic(True)
        colour = SELECTED_COLOUR if selected else pen.color()
        self.caption.setText(finding_caption(f), color=colour)
        self._set_handles(selected)
        # the selected box on top, then by score: where captions overlap the surest one reads
        self.setZValue(20 if selected else 10 + (f.score if f.score is not None else 1.0))

    def _set_handles(self, on: bool) -> None:
        """Resize handles exist only on the selected box (many boxes stay cheap to draw)."""
        self.blockSignals(True)  # adding a handle reports a finished change: not a drag end
        try:
            if on and not self.handles:
                for pos, centre in _HANDLES:
                    self.addScaleHandle(pos, centre)
            elif not on and self.handles and self.drag_start is None:
                for handle in list(self.getHandles()):
                    self.removeHandle(handle)
        finally:
            self.blockSignals(False)


class DrawLayer(pg.GraphicsObject):
    """Transparent item over the whole image; in draw mode a left-drag drafts a new box."""

    boxDrawn = Signal(object)  # Box
    activeChanged = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._draft: QRectF | None = None
        self.active = False
        self.setZValue(30)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def set_image_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def set_active(self, on: bool) -> None:
        if self.active != bool(on):
            self.active = bool(on)
            self.setCursor(Qt.CursorShape.CrossCursor if on else Qt.CursorShape.ArrowCursor)
            self._draft = None
            self.update()
            self.activeChanged.emit(self.active)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return QRectF(self._rect)

    def paint(self, painter: QPainter, *args) -> None:
        if self._draft is not None:
            pen = pg.mkPen(SELECTED_COLOUR, width=2, style=Qt.PenStyle.DashLine)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.drawRect(self._draft)

    def hoverEvent(self, ev) -> None:  # noqa: N802
        if self.active and not ev.isExit():
            ev.acceptDrags(Qt.MouseButton.LeftButton)  # the drag is the tool's, even over a finding's box

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        ev.ignore()

    def mouseDragEvent(self, ev) -> None:  # noqa: N802
        if not self.active or ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        start, now = ev.buttonDownPos(), ev.pos()
        draft = QRectF(start, now).normalized().intersected(self._rect)
        self._draft = draft
        self.update()
        if ev.isFinish():
            self._draft = None
            self.update()
            self.set_active(False)
            if draft.width() >= MIN_DRAWN_SIDE and draft.height() >= MIN_DRAWN_SIDE:
                self.boxDrawn.emit(Box(draft.left(), draft.top(), draft.right(), draft.bottom()))


class FindingOverlay(QObject):
    """The findings of the shown film as editable boxes on ``view`` (see the module docstring)."""

    boxEdited = Signal(str, object, object)  # finding id, Box before, Box after
    boxDrawn = Signal(object)  # Box
    findingClicked = Signal(str)
    drawModeChanged = Signal(bool)

    def __init__(self, view: ImageView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.boxes: dict[str, FindingBox] = {}  # the boxes drawn now, by finding id
        self._findings: dict[str, Finding] = {}
        self.threshold = 0.5
        self.selected_id: str | None = None
        self._visible = True
        self._bounds = QRectF()
        self.draw_layer = DrawLayer()
        self.draw_layer.boxDrawn.connect(self.boxDrawn)
        self.draw_layer.activeChanged.connect(self.drawModeChanged)
        self.draw_layer.setVisible(False)
        self.view.add_overlay(self.draw_layer)
        self.view.viewChanged.connect(self.place_captions)  # captions keep their size when zooming

    # -- content -----------------------------------------------------------------------
    def set_image_size(self, width: int, height: int) -> None:
        """Bounds for boxes and the draw tool: the shown image's pixel rectangle."""
        self._bounds = QRectF(0, 0, width, height)
        self.draw_layer.set_image_rect(self._bounds)
        self.draw_layer.setVisible(True)
        if self.draw_layer.parentItem() is None:  # the view dropped its overlays (new scene)
            self.view.add_overlay(self.draw_layer)

    def clear(self) -> None:
        """Remove every box (film changed or closed)."""
        for item in self.boxes.values():
            self.view.remove_overlay(item)
        self.boxes.clear()
        self._findings = {}
        self.selected_id = None
        self.set_draw_mode(False)

    def set_findings(self, findings: list[Finding]) -> None:
        """Show exactly ``findings``: boxes are added, updated in place or removed. Boxes are made
        only for findings that show at the current threshold (a film may have a hundred)."""
        self._findings = {f.id: f for f in findings}
        if self.selected_id not in self._findings:
            self.selected_id = None
        self._sync()

    def _sync(self) -> None:
        wanted = {fid: f for fid, f in self._findings.items()
                  if self._visible and is_shown(f, self.threshold)}
        for fid in list(self.boxes):
            item = self.boxes[fid]
            if fid not in self._findings and item.drag_start is None:
                self.view.remove_overlay(self.boxes.pop(fid))
            elif fid not in wanted:
                item.setVisible(False)  # kept: moving the threshold back is instant
        for f in wanted.values():
            selected = f.id == self.selected_id
            item = self.boxes.get(f.id)
            if item is None:
                item = self.boxes[f.id] = FindingBox(f, self._bounds)
                item.sigRegionChangeStarted.connect(self._on_drag_started)
                item.sigRegionChangeFinished.connect(self._on_drag_finished)
                item.sigClicked.connect(lambda roi, ev: self.findingClicked.emit(roi.finding_id))
                self.view.add_overlay(item)
            if item.drag_start is None and (item.finding != f or item.selected != selected):
                item.show_finding(f, selected)  # never fight a drag in progress
            item.setVisible(True)
        self.place_captions()

    def place_captions(self) -> None:
        """Place the captions inside the pane, clear of each other and off other boxes
        (:mod:`~mammoviewer.gui.review.caption_layout`), the selected and surest first."""
        shown = [b for b in self.boxes.values() if b.isVisible()]
        shown.sort(key=lambda b: (not b.selected, -(b.finding.score if b.finding.score is not None else 1.0)))
        placed = place_on_view(self.view, [(b.finding_id, b.box(), b.caption) for b in shown])
        for b in shown:
            b.caption_spot = placed[b.finding_id].spot

    def set_threshold(self, threshold: float) -> None:
        self.threshold = float(threshold)
        self._sync()

    def set_visible(self, on: bool) -> None:
        """Show or hide all findings (the H key)."""
        self._visible = bool(on)
        self._sync()

    @property
    def visible(self) -> bool:
        return self._visible

    def shown_ids(self) -> list[str]:
        """Ids of the boxes drawn now."""
        return [fid for fid, item in self.boxes.items() if item.isVisible()]

    def select(self, finding_id: str | None) -> None:
        """Highlight one finding (handles shown) or none."""
        old, self.selected_id = self.selected_id, finding_id
        for fid in {old, finding_id} - {None}:
            item = self.boxes.get(fid)  # type: ignore[arg-type]
            if item is not None:
                item.show_finding(item.finding, fid == finding_id)
        self.place_captions()  # the selected caption goes first

    def scene_rect_of(self, box: Box) -> QRectF:
        """``box`` in the view box's coordinates (follows rotation and flips)."""
        return self.view.image_item.mapRectToParent(QRectF(QPointF(box.x0, box.y0), QPointF(box.x1, box.y1)))

    def zoom_to(self, box: Box) -> None:
        """Show ``box`` with its surroundings (``finding_view.finding_field``), in the view's frame."""
        from mammoviewer.gui.review.finding_view import finding_field

        rect = self.scene_rect_of(box)
        image = self.view.image
        rows, cols = (image.rows, image.columns) if image is not None else (int(rect.height()), int(rect.width()))
        spacing = image.pixel_spacing_mm if image is not None else None
        side = finding_field(box.as_tuple(), rows, cols, spacing)[2]  # view units are image pixels (turned only)
        c = rect.center()
        self.view.view_box.setRange(QRectF(QPointF(c.x() - side / 2, c.y() - side / 2),
                                           QPointF(c.x() + side / 2, c.y() + side / 2)), padding=0.0)
        self.view.view_box.prepareForPaint()

    # -- draw mode ---------------------------------------------------------------------
    def set_draw_mode(self, on: bool) -> None:
        """In draw mode the next left-drag on the image drafts a new box."""
        self.draw_layer.set_active(on)

    @property
    def draw_mode(self) -> bool:
        return self.draw_layer.active

    # -- drags -------------------------------------------------------------------------
    def _on_drag_started(self, roi: FindingBox) -> None:
        roi.drag_start = roi.finding.box
        self.findingClicked.emit(roi.finding_id)

    def _on_drag_finished(self, roi: FindingBox) -> None:
        before, roi.drag_start = roi.drag_start, None
        after = roi.box()
        if before is not None and after != before:
            self.boxEdited.emit(roi.finding_id, before, after)

"""The findings of a pane the reader is not working in: boxes drawn from the store, not editable.

The pane the reader works in has the review's editable overlay; the other panes show their films'
stored findings (the detector's, above the threshold, and the reader's) with the same colours and
captions, so the whole exam is seen at once. Captions stay inside the pane and off other boxes, placed
again when the pane is zoomed or panned.
"""

from __future__ import annotations

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsRectItem

from mammoviewer.gui.review.caption_view import place_on_view
from mammoviewer.gui.review.overlay import finding_caption, finding_pen, is_shown
from mammoviewer.gui.viewer.image_view import ImageView
from mammoviewer.review import Finding


class PaneFindings:
    """Read-only boxes of one pane's film on its view."""

    def __init__(self, view: ImageView) -> None:
        self.view = view
        self.items: list[QGraphicsRectItem] = []
        self.shown: list[Finding] = []
        self.captions: list[pg.TextItem] = []
        view.viewChanged.connect(self.place_captions)

    def place_captions(self) -> None:
        """Captions inside the pane and off other boxes, the surest first."""
        order = sorted(range(len(self.shown)), key=lambda i: -(self.shown[i].score if self.shown[i].score
                                                               is not None else 1.0))
        place_on_view(self.view, [(self.shown[i].id, self.shown[i].box, self.captions[i]) for i in order])

    def clear(self) -> None:
        for item in self.items:
            self.view.remove_overlay(item)
        self.items, self.shown, self.captions = [], [], []

    def set_findings(self, findings: list[Finding], threshold: float, visible: bool = True) -> None:
        """Draw the findings that show at ``threshold`` (none when ``visible`` is off)."""
        self.clear()
        if not visible:
            return
        for f in findings:
            if not is_shown(f, threshold):
                continue
            b = f.box
            item = QGraphicsRectItem(QRectF(b.x0, b.y0, b.width, b.height))
            pen = finding_pen(f)
            item.setPen(pen)
            item.setZValue(10)
            caption = pg.TextItem(finding_caption(f), color=pen.color(), anchor=(0, 1),
                                  fill=pg.mkBrush(0, 0, 0, 160))
            caption.setParentItem(item)
            caption.setPos(b.x0, b.y0)
            self.view.add_overlay(item)
            self.items.append(item)
            self.shown.append(f)
            self.captions.append(caption)
        self.place_captions()

"""Captions of the boxes on a view, placed by :mod:`~mammoviewer.gui.review.caption_layout` in the view's
screen pixels (after flips, rotation, zoom and the film's physical aspect) and kept inside the pane."""

from __future__ import annotations

from typing import Any, Sequence

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QPoint, QPointF, QRectF

from mammoviewer.gui.review.caption_layout import CaptionRequest, Placement, place_captions
from mammoviewer.review import Box


def screen_rect(view: Any, box: Box) -> tuple[float, float, float, float]:
    """``box`` (film pixels) in the view's viewport pixels."""
    poly = view.graphics.mapFromScene(view.image_item.mapToScene(QRectF(QPointF(box.x0, box.y0),
                                                                        QPointF(box.x1, box.y1))))
    r = poly.boundingRect()
    return (float(r.left()), float(r.top()), float(r.right() + 1), float(r.bottom() + 1))


def place_on_view(view: Any, entries: Sequence[tuple[str, Box, Any]]) -> dict[str, Placement]:
    """Place the caption (a pyqtgraph TextItem whose parent follows the film) of each ``(key, box, caption)``
    of ``entries``, given in priority order; returns where each went (viewport pixels)."""
    if not entries:
        return {}
    view.view_box.prepareForPaint()  # the view matrix may lag behind a resize until painted
    viewport = view.graphics.viewport().rect()
    pane = (0.0, 0.0, viewport.width() - 1.0, viewport.height() - 1.0)  # a pixel kept for rounding
    requests = []
    for key, box, caption in entries:
        size = caption.textItem.boundingRect()
        requests.append(CaptionRequest(key, screen_rect(view, box), (float(size.width()), float(size.height()))))
    placements = place_captions(requests, pane)
    for key, _box, caption in entries:
        x0, y0 = placements[key].rect[:2]
        caption.setAnchor((0, 0))
        scene = view.graphics.mapToScene(QPoint(round(x0), round(y0)))
        caption.setPos(caption.parentItem().mapFromScene(scene))
    return placements

"""Moving the review to another view: the hanging's panes each take the review in turn.

:class:`ReviewRetarget` is the retargeting part of
:class:`~mammoviewer.gui.review.controller.ReviewController`, an object that reads and replaces the
controller's (``host``) overlay and routes what the reader does on it to the host's editing.
"""

from __future__ import annotations

from typing import Any

from mammoviewer.gui.review.overlay import FindingOverlay


class ReviewRetarget:
    """``set_view(view)``: the editable findings, draw tool and zoom-to-finding move to ``view``."""

    def __init__(self, host: Any) -> None:
        self.host = host

    def connect(self, o: FindingOverlay) -> None:
        """Route what the reader does on ``o`` to the review."""
        host = self.host
        o.boxEdited.connect(host.editing.box_edited)
        o.boxDrawn.connect(host.editing.box_drawn)
        o.findingClicked.connect(lambda fid: host.select(fid))
        o.drawModeChanged.connect(host.panel.set_draw_mode)
        o.drawModeChanged.connect(lambda on: host.show_mode())

    def set_view(self, view: Any) -> None:
        """Review on ``view`` (an ImageView, e.g. a pane of a hanging) from now on; the next
        :meth:`show_image` draws there. The boxes leave the previous view."""
        host = self.host
        if view is host.overlay.view:
            return
        old = host.overlay
        old.clear()
        old.view.remove_overlay(old.draw_layer)
        old.blockSignals(True)
        host.overlay = FindingOverlay(view, host)
        host.overlay.set_threshold(host.panel.threshold)
        host.overlay.set_visible(old.visible)
        self.connect(host.overlay)
        old.deleteLater()

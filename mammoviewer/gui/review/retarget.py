"""Moving the review to another view: the hanging's panes each take the review in turn.

:class:`ReviewRetarget` is a mixin of :class:`~mammoviewer.gui.review.controller.ReviewController`
(it uses its ``overlay``, ``panel`` and the slots the overlay reports to).
"""

from __future__ import annotations

from typing import Any

from mammoviewer.gui.review.overlay import FindingOverlay


class ReviewRetarget:
    """``set_view(view)``: the editable findings, draw tool and zoom-to-finding move to ``view``."""

    overlay: FindingOverlay
    panel: Any

    def _connect_overlay(self, o: FindingOverlay) -> None:
        """Route what the reader does on ``o`` to the review."""
        o.boxEdited.connect(self._on_box_edited)
        o.boxDrawn.connect(self._on_box_drawn)
        o.findingClicked.connect(lambda fid: self.select(fid))
        o.drawModeChanged.connect(self.panel.set_draw_mode)

    def set_view(self, view: Any) -> None:
        """Review on ``view`` (an ImageView, e.g. a pane of a hanging) from now on; the next
        :meth:`show_image` draws there. The boxes leave the previous view."""
        if view is self.overlay.view:
            return
        old = self.overlay
        old.clear()
        old.view.remove_overlay(old.draw_layer)
        old.blockSignals(True)
        self.overlay = FindingOverlay(view, self)  # type: ignore[arg-type]
        self.overlay.set_threshold(self.panel.threshold)
        self.overlay.set_visible(old.visible)
        self._connect_overlay(self.overlay)
        old.deleteLater()

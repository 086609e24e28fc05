"""The hanging view: a grid of :class:`PaneView` filled from a :class:`~mammoviewer.studies.Hanging`,
with linked window/level and linked zoom/pan.

Linked window/level copies the window the reader sets in one pane to every other pane. Linked
zoom/pan shows in every pane the same region measured from the chest wall (distance from the chest
wall, height from the top), so zooming into the upper inner part of the right breast shows the upper
inner part of the left breast too: the mirror-symmetric regions a reader compares.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Mapping

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from mammoviewer.errors import MammoViewerError
from mammoviewer.gui.viewer.hanging_panes import PaneView
from mammoviewer.io.enhance import ENHANCED_LABEL
from mammoviewer.io.image import Image, Window
from mammoviewer.messages import clean_message
from mammoviewer.studies import Hanging, Pane

#: the most panes a hanging has (4-up, or 2-up with the prior under it)
MAX_PANES = 4


class HangingView(QWidget):
    """Panes in a grid. Signals: ``activePaneChanged(int)``, ``windowLinked(object)``."""

    activePaneChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        self.setStyleSheet("HangingView { background: #000000; }")
        self.panes: list[PaneView] = []
        self.hanging: Hanging | None = None
        self.active = 0
        self.linked = True
        self.enhanced = False
        self._syncing = False
        #: why a pane of the current hanging shows no film although it has one (index -> one line)
        self.pane_errors: dict[int, str] = {}
        for i in range(MAX_PANES):
            pane = PaneView()
            pane.activated.connect(lambda i=i: self.set_active(i))
            pane.windowChanged.connect(lambda window, i=i: self._on_window(i, window))
            pane.view_box.sigRangeChangedManually.connect(lambda *_, i=i: self._on_range(i))
            pane.view_box.sigRangeChanged.connect(lambda *_, i=i: self._on_range(i))
            pane.frame.hide()
            self.panes.append(pane)

    # -- content -----------------------------------------------------------------------
    def shown_panes(self) -> list[PaneView]:
        """The panes of the current hanging, row-major."""
        return self.panes[: len(self.hanging.panes)] if self.hanging is not None else []

    def set_hanging(self, hanging: Hanging, images: Mapping[str, Image],
                    windows: Mapping[str, Window | None] | None = None, active: int = 0) -> None:
        """Lay out ``hanging``; each pane shows ``images[film.path]`` (absent: an empty pane)."""
        if len(hanging.panes) > MAX_PANES:
            raise ValueError(f"a hanging of {len(hanging.panes)} panes; at most {MAX_PANES} are shown")
        windows = windows or {}
        self._syncing = True
        try:
            for pane in self.panes:
                self.grid.removeWidget(pane.frame)
                pane.frame.hide()
            self.hanging = hanging
            self.pane_errors = {}
            for i, spec in enumerate(hanging.panes):
                view = self.panes[i]
                self.grid.addWidget(view.frame, spec.row, spec.column)
                view.frame.show()
                path = spec.film.path if spec.film is not None else None
                image = images.get(path) if path else None
                self._show_one(i, spec, image, windows.get(path) if path else None)
            for r in range(2):
                self.grid.setRowStretch(r, 1 if r < hanging.rows else 0)
                self.grid.setColumnStretch(r, 1 if r < hanging.columns else 0)
        finally:
            self._syncing = False
        self.set_active(min(active, len(hanging.panes) - 1), force=True)
        self.fit()

    def _show_one(self, index: int, spec: Pane, image: Image | None, window: Window | None) -> None:
        """Pane ``index`` shows ``image``; if that fails the pane says why and the others still show."""
        view = self.panes[index]
        view.set_enhanced(self.enhanced, ENHANCED_LABEL)
        try:
            view.show_pane(spec, image, window)
        except Exception as exc:  # noqa: BLE001 - one film must never keep the others (or the window) waiting
            if not isinstance(exc, MammoViewerError):
                traceback.print_exc()  # a bug: the details go to the console for a report
            name = Path(image.path).name if image is not None else spec.label
            line = f"{name} cannot be shown: {clean_message(exc)}"
            self.pane_errors[index] = line
            view.show_pane(spec, None)
            view.clear(f"{spec.label}: {line}")

    def set_active(self, index: int, force: bool = False) -> None:
        """Make pane ``index`` the one the reader works in."""
        shown = self.shown_panes()
        if not shown or not 0 <= index < len(shown) or (index == self.active and not force):
            return
        self.active = index
        for i, pane in enumerate(shown):
            pane.set_active(i == index)
        self.activePaneChanged.emit(index)

    def step_active(self, step: int) -> None:
        """Activate the next (+1) or previous (-1) pane that holds a film."""
        shown = self.shown_panes()
        for k in range(1, len(shown) + 1):
            i = (self.active + step * k) % len(shown)
            if shown[i].image is not None:
                self.set_active(i)
                return

    @property
    def active_pane(self) -> PaneView | None:
        shown = self.shown_panes()
        return shown[self.active] if shown and self.active < len(shown) else None

    # -- display -----------------------------------------------------------------------
    def fit(self) -> None:
        """Fit every pane (chest walls against the middle)."""
        self._syncing = True
        try:
            for pane in self.shown_panes():
                pane.fit()
        finally:
            self._syncing = False

    def set_linked(self, on: bool) -> None:
        """Link (or unlink) window/level and zoom/pan across the panes."""
        self.linked = bool(on)

    def set_enhanced(self, on: bool) -> None:
        """The reading-only CLAHE enhancement on every pane (marked on each)."""
        self.enhanced = bool(on)
        for pane in self.panes:
            pane.set_enhanced(self.enhanced, ENHANCED_LABEL)

    def set_invert(self, on: bool) -> None:
        for pane in self.panes:
            pane.set_invert(on)

    def set_window(self, window: Window | None) -> None:
        """Show every pane through ``window`` (None: each film's own default)."""
        for pane in self.shown_panes():
            if pane.image is not None:
                self._syncing = True
                try:
                    pane.set_window(window)
                finally:
                    self._syncing = False

    def _on_window(self, index: int, window: Window | None) -> None:
        if self._syncing or not self.linked or window is None:
            return
        self._syncing = True
        try:
            for i, pane in enumerate(self.shown_panes()):
                if i != index and pane.image is not None:
                    pane.set_window(window)
        finally:
            self._syncing = False

    def _on_range(self, index: int) -> None:
        if self._syncing or not self.linked:
            return
        shown = self.shown_panes()
        if index >= len(shown) or shown[index].fitted:
            return  # a fitted pane (also one being resized) leads no other
        where = shown[index].chest_wall_view()
        if where is None:
            return
        self._syncing = True
        try:
            for i, pane in enumerate(shown):
                if i != index and pane.image is not None:
                    pane.show_chest_wall_view(*where)
        finally:
            self._syncing = False

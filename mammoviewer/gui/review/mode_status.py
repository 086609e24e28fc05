"""The review's items in the window's status bar: the busy bar, "Saved", and the mouse mode with its keys.

A mode (drawing a box, locating a lesion, a located proposal waiting for the reader) changes what a
left click or drag does; :func:`mode_text` says which mode is on and which keys work in it, e.g.
``"Locate · proposal 1 of 3 · Tab next · A keep · Esc drop"``. Nothing is shown outside a mode.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtWidgets import QLabel, QProgressBar

MODE_STYLE = "QLabel { background: #2a62a0; color: white; padding: 1px 8px; font-weight: bold; }"


def mode_text(draw: bool, locate: tuple[str, int, int] | None) -> str:
    """The status line of the mouse mode ("" outside one). ``locate`` is the locate tool's state:
    ``("armed", 0, 0)``, ``("proposal", index, count)`` or None."""
    if locate is not None and locate[0] == "armed":
        return "Locate \u00b7 click on the lesion \u00b7 Esc cancel"
    if locate is not None and locate[0] == "proposal":
        _, index, count = locate
        tab = " \u00b7 Tab next" if count > 1 else ""
        return f"Locate \u00b7 proposal {index} of {count}{tab} \u00b7 A keep \u00b7 Esc drop"
    if draw:
        return "Draw (X) \u00b7 drag a box on the film \u00b7 Esc stop"
    return ""


class ModeStatus:
    """The review's status-bar items on ``window``: ``progress``, ``saved_label`` and ``mode_label``."""

    def __init__(self, window: Any) -> None:
        self.bar = bar = window.statusBar()
        self._cursor_label = getattr(window, "cursor_label", None)  # gives the mode line its room
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy indicator
        self.progress.setMaximumWidth(120)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.saved_label = QLabel("")
        self.mode_label = QLabel("")
        self.mode_label.setObjectName("modeLabel")
        self.mode_label.setStyleSheet(MODE_STYLE)
        self.mode_label.hide()
        bar.insertWidget(0, self.mode_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.saved_label)

    def show(self, draw: bool, locate: tuple[str, int, int] | None) -> None:
        text = mode_text(draw, locate)
        if text and text != self.text:
            self.bar.clearMessage()  # a passing message would hide the mode line
        self.mode_label.setText(text)
        self.mode_label.setVisible(bool(text))
        if self._cursor_label is not None:  # in a mode, the mode line takes the cursor readout's place
            self._cursor_label.setVisible(not text)

    @property
    def text(self) -> str:
        """The mode line shown ("" outside a mode)."""
        return self.mode_label.text() if not self.mode_label.isHidden() else ""

    def saved(self, store: str | Path) -> None:
        self.saved_label.setText(f"Saved {time.strftime('%H:%M:%S')}")
        self.saved_label.setToolTip(f"Every edit is written at once to {store}")

    def store(self, store: str | Path) -> None:
        self.saved_label.setText("Saved")
        self.saved_label.setToolTip(f"Every edit is written at once to {store}")

"""Answering a modal question box in a test: the real QMessageBox is shown and its button clicked."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def answer_next_box(button_text: str, seen: list[str] | None = None, tries: int = 200) -> None:
    """Click the button labelled ``button_text`` of the next modal message box (its text goes into
    ``seen``); polls every 25 ms, ``tries`` times."""

    def poll(left: int) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            if seen is not None:
                seen.append(box.text())
            button = next((b for b in box.buttons() if b.text() == button_text), None)
            assert button is not None, f"no button {button_text!r} in {[b.text() for b in box.buttons()]}"
            button.click()
        elif left > 0:
            QTimer.singleShot(25, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))

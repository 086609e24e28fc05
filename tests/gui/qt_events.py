"""Small helpers that send real mouse events to a widget (no sleeps)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget


def send_mouse(widget: QWidget, kind: QEvent.Type, pos: QPoint | QPointF,
               button: Qt.MouseButton = Qt.MouseButton.NoButton,
               buttons: Qt.MouseButton = Qt.MouseButton.NoButton) -> None:
    local = QPointF(pos)
    glob = QPointF(widget.mapToGlobal(local.toPoint()))
    event = QMouseEvent(kind, local, glob, button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def mouse_move(widget: QWidget, pos: QPoint | QPointF) -> None:
    send_mouse(widget, QEvent.Type.MouseMove, pos)


def mouse_drag(widget: QWidget, start: QPoint, end: QPoint, button: Qt.MouseButton, steps: int = 5) -> None:
    """Hover at ``start``, press, move in ``steps`` to ``end``, release."""
    send_mouse(widget, QEvent.Type.MouseMove, start)
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, button, button)
    for i in range(1, steps + 1):
        p = QPointF(start) + (QPointF(end) - QPointF(start)) * (i / steps)
        send_mouse(widget, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, button)
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end, button, Qt.MouseButton.NoButton)

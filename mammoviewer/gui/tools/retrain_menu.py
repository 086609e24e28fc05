"""Tools › Retrain Detector from Reviewed Films… and Restore Previous Model: one dialog at a time per window."""

from __future__ import annotations

from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


class RetrainLauncher(QObject):
    """Opens one :class:`RetrainDialog` at a time for a window; ``dialog`` is the latest."""

    def __init__(self, window, store_path: Callable[[], str | None], model_path: Callable[[], str | None],
                 on_switch: Callable[[str], None], **dialog_options: Any) -> None:
        super().__init__(window)
        self.window = window
        self.store_path, self.model_path, self.on_switch = store_path, model_path, on_switch
        self.dialog_options = dialog_options
        self.dialog: Any = None  # the latest RetrainDialog
        self.history: list[str | None] = []  # models in use before each switch (None: the bundled one)
        self.restore_action: QAction | None = None

    def switch(self, path: str) -> None:
        """Use the model at ``path``, remembering the one in use so it can be restored."""
        self.history.append(self.model_path())
        self.on_switch(str(path))
        self._update_restore()

    def restore(self) -> None:
        """Go back to the model used before the last switch."""
        if not self.history:
            return
        previous = self.history.pop()
        if previous is None:
            from mammoviewer.detect.detector import default_model_path

            previous = str(default_model_path())
        self.on_switch(previous)
        self._update_restore()

    def _update_restore(self) -> None:
        if self.restore_action is not None:
            self.restore_action.setEnabled(bool(self.history))
            last = self.history[-1] if self.history else None
            self.restore_action.setStatusTip(f"Go back to {last or 'the bundled model'}")

    def open(self) -> Any:
        """Show the running dialog, or a new one (None when there is no review store)."""
        from mammoviewer.gui.tools.retrain_dialog import RetrainDialog

        if self.dialog is not None and self.dialog.is_running():
            self.dialog.show()
            self.dialog.raise_()
            return self.dialog
        store = self.store_path()
        if not store:
            self.window.show_error("Retraining needs a review store with reviewed films; findings review is off")
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = RetrainDialog(self.window, store, self.model_path(), **self.dialog_options)
        self.dialog.modelSwitchRequested.connect(self.switch)
        self.dialog.show()
        return self.dialog


def _tools_menu(window) -> QMenu:
    for key in ("tools", "model"):
        if key in window.menus:
            return window.menus[key]
    menu = QMenu("&Tools", window)
    help_menu = window.menus.get("help")
    if help_menu is not None:
        window.menuBar().insertMenu(help_menu.menuAction(), menu)
    else:
        window.menuBar().addMenu(menu)
    window.menus["tools"] = menu
    return menu


def install_retrain_action(window, store_path: Callable[[], str | None], model_path: Callable[[], str | None],
                           on_switch: Callable[[str], None], **dialog_options: Any) -> QAction:
    """Add "Retrain Detector from Reviewed Films…" to the Tools menu (made if absent).

    ``store_path()``/``model_path()`` give the store and the model in use (None: bundled) when
    the dialog opens; ``on_switch(path)`` is called when the user takes the new model.
    ``dialog_options`` go to :class:`RetrainDialog` (``mias_dir``, ``finetune_fn``, ``out_dir``).
    """
    launcher = RetrainLauncher(window, store_path, model_path, on_switch, **dialog_options)
    action = QAction("&Retrain Detector from Reviewed Films\u2026", window)
    action.setObjectName("retrain_detector")
    action.setStatusTip("Fine-tune the detector on the reviewed films and compare it with the current one")
    action.triggered.connect(lambda *_: launcher.open())
    action.launcher = launcher  # type: ignore[attr-defined]  (keeps it reachable for the caller)
    window.actions_by_name[action.objectName()] = action
    _tools_menu(window).addAction(action)
    restore = QAction("Restore &Previous Model", window)
    restore.setObjectName("restore_model")
    restore.setEnabled(False)
    restore.triggered.connect(lambda *_: launcher.restore())
    launcher.restore_action = restore
    window.actions_by_name[restore.objectName()] = restore
    _tools_menu(window).addAction(restore)
    return action

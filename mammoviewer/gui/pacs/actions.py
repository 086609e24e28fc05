"""File › Open from PACS… and File › Send Results to PACS…, installed on a window with one call::

    pacs = install_pacs_actions(window, store_path=lambda: str(session.path))

Nodes come from the PACS settings file (``mammoviewer.pacs.nodes``); retrieved studies go into
the user's data folder (``.../mammoviewer/pacs``) unless another is given. MammoViewer opens no
listening port: studies come by C-GET over the association it opens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtGui import QAction

from mammoviewer.gui.pacs.open_dialog import OpenFromPacsDialog
from mammoviewer.gui.pacs.send_dialog import SendResultsDialog


def default_retrieve_folder() -> Path:
    """``<user data folder>/mammoviewer/pacs``."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base or Path.home() / ".local" / "share") / "mammoviewer" / "pacs"


class PacsActions(QObject):
    """The two PACS actions of one window and their (non-modal) dialogs."""

    def __init__(self, window, store_path: Callable[[], str | None], settings: str | Path | None = None,
                 retrieve_folder: str | Path | None = None) -> None:  # fmt: skip
        super().__init__(window)
        self.window = window
        self.store_path = store_path
        self.settings = settings
        self.retrieve_folder = Path(retrieve_folder) if retrieve_folder else default_retrieve_folder()
        self.open_dialog: OpenFromPacsDialog | None = None
        self.send_dialog: SendResultsDialog | None = None
        self.open_action = QAction("Open from &PACS\u2026", window)
        self.open_action.setObjectName("open_from_pacs")
        self.open_action.setStatusTip("Search a PACS and retrieve a study into the worklist")
        self.open_action.triggered.connect(lambda *_: self.show_open())
        self.send_action = QAction("Send Results to PAC&S\u2026", window)
        self.send_action.setObjectName("send_to_pacs")
        self.send_action.setStatusTip("Send the CAD SR and presentation states of the reviewed films to a PACS")
        self.send_action.triggered.connect(lambda *_: self.show_send())

    def show_open(self) -> OpenFromPacsDialog:
        if self.open_dialog is None:
            self.open_dialog = OpenFromPacsDialog(self.window.jobs, self.retrieve_folder, self.settings, self.window)
            self.open_dialog.retrieved.connect(self._open_study)
        self.open_dialog.nodes.reload()
        self.open_dialog.show()
        self.open_dialog.raise_()
        return self.open_dialog

    def show_send(self) -> SendResultsDialog:
        if self.send_dialog is None:
            self.send_dialog = SendResultsDialog(self.window.jobs, self.store_path, self.settings, self.window)
            self.send_dialog.sent.connect(lambda sent: self.window.statusBar().showMessage(
                self.send_dialog.status.text(), 20000))  # fmt: skip
        self.send_dialog.nodes.reload()
        self.send_dialog.show()
        self.send_dialog.raise_()
        return self.send_dialog

    def _open_study(self, folder: Path) -> None:
        self.window.open_folder(folder)
        self.window.statusBar().showMessage(f"Opened the study retrieved into {folder}", 20000)


def install_pacs_actions(window, store_path: Callable[[], str | None], settings: str | Path | None = None,
                         retrieve_folder: str | Path | None = None) -> PacsActions:  # fmt: skip
    """Add the PACS actions to ``window.menus["file"]``: Open after Open Folder, Send above Quit."""
    actions = PacsActions(window, store_path, settings, retrieve_folder)
    menu = window.menus["file"]
    by_name = window.actions_by_name
    after_open = by_name.get("open_folder")
    items = menu.actions()
    anchor = None
    if after_open in items and items.index(after_open) + 1 < len(items):
        anchor = items[items.index(after_open) + 1]
    if anchor is not None:
        menu.insertAction(anchor, actions.open_action)
    else:
        menu.addAction(actions.open_action)
    quit_action = by_name.get("quit")
    if quit_action in menu.actions():
        menu.insertAction(quit_action, actions.send_action)
    else:
        menu.addAction(actions.send_action)
    for action in (actions.open_action, actions.send_action):
        by_name[action.objectName()] = action
    return actions

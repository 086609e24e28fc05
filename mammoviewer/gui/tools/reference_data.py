"""The retraining's reference films: a mini-MIAS folder the user chooses once and the settings remember.

The retrain dialog mixes these films into the fine-tuning and scores the current and the new model on
those of patients neither model trained on. :class:`ReferenceFolder` keeps the choice in the user's
settings (``gui.settings``); :class:`ReferenceRow` is the dialog's row that shows and changes it.
"""

from __future__ import annotations

from pathlib import Path

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from mammoviewer.gui.settings import default_settings

#: what the dialog says when no reference folder is known (a plain clone has no ../shared)
NO_REFERENCE = ("No reference films chosen. Choose the folder of the mini-MIAS films (mdb001.pgm \u2026 mdb322.pgm "
                "with their Info.txt, as downloaded from the mini-MIAS database, or the project's shared "
                "data/mias). Without it the new model is still written, but it cannot be compared with the "
                "current one, so it is not offered here.")
WITH_REFERENCE = ("The current and the new model are scored on the films of patients neither model was trained "
                  "on (their cards list their training patients); where there are none, the result says what "
                  "biases the check.")


def folder_problem(folder: str | Path) -> str | None:
    """Why ``folder`` cannot serve as reference films (None if it can)."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        return f"{path}: not a folder"
    if not (path / "Info.txt").is_file():
        return f"{path}: no Info.txt here; choose the folder of the mini-MIAS films and their Info.txt"
    return None


class ReferenceFolder:
    """The reference folder kept in the user's settings (``retrain/reference_films``)."""

    KEY = "retrain/reference_films"

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings if settings is not None else default_settings()

    def remembered(self) -> str | None:
        value = self.settings.value(self.KEY, "")
        return str(value) if value else None

    def current(self, fallback: str | None = None) -> str | None:
        """The remembered folder if it still serves, else ``fallback`` (e.g. the shared MIAS folder), else None."""
        for folder in (self.remembered(), fallback):
            if folder and folder_problem(folder) is None:
                return str(Path(folder).expanduser().absolute())
        return None

    def remember(self, folder: str | Path) -> None:
        self.settings.setValue(self.KEY, str(Path(folder).expanduser().absolute()))
        self.settings.sync()


class ReferenceRow(QWidget):
    """The folder's path, a "Choose…" button and a line that says what the folder is for (or what to choose)."""

    changed = Signal(str)

    def __init__(self, store: ReferenceFolder, folder: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.edit = QLineEdit(folder or "")
        self.edit.setReadOnly(True)
        self.edit.setPlaceholderText("none chosen")
        self.button = QPushButton("Choose\u2026")
        self.button.clicked.connect(self.choose)
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self._say(None)

    def folder(self) -> str | None:
        return self.edit.text() or None

    def ask_folder(self) -> str | None:
        """The folder picked in a file dialog, or None (tests replace this)."""
        start = self.folder() or str(Path.home())
        return QFileDialog.getExistingDirectory(self, "Folder of the mini-MIAS reference films", start) or None

    def choose(self) -> None:
        picked = self.ask_folder()
        if picked:
            self.set_folder(picked)

    def set_folder(self, folder: str) -> bool:
        """Use and remember ``folder`` if it serves; else say why and keep the current one."""
        problem = folder_problem(folder)
        if problem:
            self._say(problem)
            return False
        path = str(Path(folder).expanduser().absolute())
        self.edit.setText(path)
        self.store.remember(path)
        self._say(None)
        self.changed.emit(path)
        return True

    def _say(self, problem: str | None) -> None:
        text = WITH_REFERENCE if self.folder() else NO_REFERENCE
        self.note.setText(f"{problem}. {text}" if problem else text)

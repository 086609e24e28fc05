"""File › Open from PACS…: query a node, list its studies, retrieve one into the worklist.

The search (C-FIND) and the retrieve (C-GET) run on the window's job runner; the retrieve
shows its progress and can be cancelled (nothing is kept then). A retrieved study lands in
``<retrieve folder>/<StudyInstanceUID>/`` and is opened as the worklist.
"""

from __future__ import annotations

from pathlib import Path

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from mammoviewer.errors import PacsError
from mammoviewer.gui.pacs.node_form import NodeForm
from mammoviewer.pacs.client import Study, find_studies, get_study

COLUMNS = ("Date", "Patient ID", "Patient name", "Modalities", "Images", "Study UID")


def retrieve(node, study_uid: str, folder: str, progress=None, cancel=None) -> Path:  # noqa: ANN001
    """Worker: C-GET the study into ``folder``; the study's folder. Progress is ``(received, total)``."""
    paths = get_study(node, study_uid, folder, progress=(lambda n, t: progress((n, t))) if progress else None,
                      cancel=cancel)  # fmt: skip
    return paths[0].parent


class OpenFromPacsDialog(QDialog):
    """Query form, study list and Retrieve button. Signals ``retrieved(folder)`` after a retrieve."""

    retrieved = Signal(object)
    SEARCH_CHANNEL, RETRIEVE_CHANNEL = "pacs-find", "pacs-get"

    def __init__(self, jobs, retrieve_folder: str | Path, settings: str | Path | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Open from PACS")
        self.jobs = jobs
        self.studies: list[Study] = []
        self.job = None
        self.nodes = NodeForm(settings)
        node_box = QGroupBox("PACS")
        QVBoxLayout(node_box).addWidget(self.nodes)
        self.patient_edit = QLineEdit()
        self.patient_edit.setPlaceholderText("patient ID, * and ? allowed")
        self.date_edit = QLineEdit()
        self.date_edit.setPlaceholderText("YYYYMMDD or YYYYMMDD-YYYYMMDD")
        self.folder_edit = QLineEdit(str(retrieve_folder))
        self.search_button = QPushButton("Search")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.retrieve_button = QPushButton("Retrieve and open")
        self.cancel_button = QPushButton("Cancel retrieve")
        self.progress = QProgressBar()
        self.status = QLabel()
        self.status.setWordWrap(True)
        query = QFormLayout()
        query.addRow("Patient ID", self.patient_edit)
        query.addRow("Study date", self.date_edit)
        query.addRow("Retrieve into", self.folder_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.search_button)
        buttons.addStretch(1)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.retrieve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(node_box)
        layout.addLayout(query)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.search_button.clicked.connect(lambda *_: self.search())
        self.retrieve_button.clicked.connect(lambda *_: self.retrieve_selected())
        self.cancel_button.clicked.connect(lambda *_: self.cancel_retrieve())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.nodes.failed.connect(self._fail)
        self._busy(False)
        self.resize(820, 620)

    # -- search ----------------------------------------------------------------------------
    def search(self):
        """Run the C-FIND on a worker thread; the Job, or None if the form is incomplete."""
        try:
            node = self.nodes.node()
        except PacsError as exc:
            self._fail(str(exc))
            return None
        self._say(f"Searching {node.label}\u2026")
        job = self.jobs.submit(find_studies, node, self.patient_edit.text().strip() or None,
                               self.date_edit.text().strip() or None, channel=self.SEARCH_CHANNEL)  # fmt: skip
        job.finished.connect(self._show_studies)
        job.failed.connect(self._fail)
        return job

    def _show_studies(self, studies: list[Study]) -> None:
        self.studies = list(studies)
        self.table.setRowCount(len(self.studies))
        for row, s in enumerate(self.studies):
            values = (s.study_date, s.patient_id, s.patient_name, ", ".join(s.modalities),
                      "" if s.images is None else str(s.images), s.study_uid)  # fmt: skip
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self._say(f"{len(self.studies)} studies found")
        if self.studies:
            self.table.selectRow(0)
        self._update_buttons()

    # -- retrieve --------------------------------------------------------------------------
    def selected_study(self) -> Study | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.studies[rows.pop()] if len(rows) == 1 else None

    def retrieve_selected(self):
        """C-GET the selected study on a worker thread; the Job, or None if nothing to do."""
        study = self.selected_study()
        if study is None:
            self._fail("select a study to retrieve")
            return None
        try:
            node = self.nodes.node()
        except PacsError as exc:
            self._fail(str(exc))
            return None
        self.progress.setRange(0, study.images or 0)
        self.progress.setValue(0)
        self._say(f"Retrieving study of {study.patient_id} from {node.label}\u2026")
        job = self.jobs.submit(retrieve, node, study.study_uid, self.folder_edit.text().strip(),
                               channel=self.RETRIEVE_CHANNEL, with_control=True)  # fmt: skip
        self.job = job
        self._busy(True)
        job.progress.connect(self._progress)
        job.finished.connect(self._retrieved)
        job.failed.connect(self._fail)
        job.done.connect(lambda: self._busy(False))
        return job

    def cancel_retrieve(self) -> None:
        """Stop the retrieve: get_study keeps nothing of it; the job reports nothing more."""
        if self.job is not None and self.job.is_running:
            self.job.cancel()
            self._busy(False)
            self._say("Retrieve cancelled; nothing was kept")

    def _progress(self, value: tuple[int, int | None]) -> None:
        received, total = value
        if total and total > self.progress.maximum():
            self.progress.setMaximum(total)
        self.progress.setValue(received)
        self._say(f"Received {received}" + (f" of {total}" if total else "") + " images")

    def _retrieved(self, folder: Path) -> None:
        self._say(f"Retrieved into {folder}")
        self.retrieved.emit(folder)

    # -- state -----------------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.search_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self._update_buttons(busy)

    def _update_buttons(self, busy: bool | None = None) -> None:
        busy = self.cancel_button.isEnabled() if busy is None else busy
        self.retrieve_button.setEnabled(not busy and self.selected_study() is not None)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020" if error else "")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _fail(self, message: str) -> None:
        self._say(message, error=True)

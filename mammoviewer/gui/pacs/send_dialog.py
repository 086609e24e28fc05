"""File › Send Results to PACS…: the store's CAD SR (model findings) and GSPS (reader's findings)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mammoviewer.errors import PacsError
from mammoviewer.gui.pacs.node_form import NodeForm
from mammoviewer.pacs.results import ResultsSent, send_results


def describe_sent(sent: ResultsSent, label: str) -> str:
    text = f"Sent {sent.sent} objects ({sent.findings} findings) to {label}"
    return text + (f"; {len(sent.lines)} not sent: " + "; ".join(sent.lines[:3]) if sent.lines else "")


class SendResultsDialog(QDialog):
    """Node, what to send, and Send. Signals ``sent(ResultsSent)`` once the node stored them."""

    sent = Signal(object)
    CHANNEL = "pacs-send"

    def __init__(self, jobs, store_path: Callable[[], str | None], settings: str | Path | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Send Results to PACS")
        self.jobs = jobs
        self.store_path = store_path
        self.nodes = NodeForm(settings)
        node_box = QGroupBox("PACS")
        QVBoxLayout(node_box).addWidget(self.nodes)
        self.sr_check = QCheckBox("CAD SR: the model's findings with their scores")
        self.gsps_check = QCheckBox("Presentation state (GSPS): the reader's findings")
        self.pending_check = QCheckBox("Also draw findings not yet accepted or rejected")
        self.reviewed_check = QCheckBox("Only films marked reviewed")
        for box in (self.sr_check, self.gsps_check, self.reviewed_check):
            box.setChecked(True)
        self.send_button = QPushButton("Send")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(node_box)
        for box in (self.sr_check, self.gsps_check, self.pending_check, self.reviewed_check):
            layout.addWidget(box)
        layout.addLayout(row)
        self.send_button.clicked.connect(lambda *_: self.send())
        self.nodes.failed.connect(self._fail)
        self.resize(560, self.sizeHint().height())

    def formats(self) -> list[str]:
        return [f for f, box in (("cad-sr", self.sr_check), ("gsps", self.gsps_check)) if box.isChecked()]

    def send(self):
        """Build and send the results on a worker thread; the Job, or None if nothing to do."""
        store = self.store_path()
        try:
            node = self.nodes.node()
            if not store:
                raise PacsError("no review store is open: there are no results to send")
            if not self.formats():
                raise PacsError("choose CAD SR, GSPS or both")
        except PacsError as exc:
            self._fail(str(exc))
            return None
        self._say(f"Sending to {node.label}\u2026")
        self.send_button.setEnabled(False)
        job = self.jobs.submit(send_results, store, node, self.formats(),
                               include_pending=self.pending_check.isChecked(),
                               reviewed_only=self.reviewed_check.isChecked(), channel=self.CHANNEL)  # fmt: skip
        job.finished.connect(lambda sent: self._sent(sent, node.label))
        job.failed.connect(self._fail)
        job.done.connect(lambda: self.send_button.setEnabled(True))
        return job

    def _sent(self, sent: ResultsSent, label: str) -> None:
        self._say(describe_sent(sent, label), error=bool(sent.lines))
        self.sent.emit(sent)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020" if error else "")

    def _fail(self, message: str) -> None:
        self._say(message, error=True)

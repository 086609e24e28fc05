"""The PACS node fields shared by the PACS dialogs: a saved node to pick, or one typed in and saved."""

from __future__ import annotations

from pathlib import Path

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton,
                               QSpinBox, QWidget)

from mammoviewer.errors import PacsError
from mammoviewer.pacs.nodes import DEFAULT_CALLING_AET, PacsNode, load_nodes, save_nodes


class NodeForm(QWidget):
    """Host, port, AE titles and time limit of a PACS node; the saved nodes in a combo box.

    ``settings`` is the PACS settings file (default: the user's); :meth:`node` gives the node
    as entered (PacsError if incomplete), :meth:`save` adds or replaces it in the settings.
    Signals ``failed(message)`` when the Save button cannot save.
    """

    failed = Signal(str)

    def __init__(self, settings: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.saved = QComboBox()
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("a name for this node")
        self.host_edit = QLineEdit()
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(104)
        self.aet_edit = QLineEdit()
        self.calling_edit = QLineEdit(DEFAULT_CALLING_AET)
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(0.5, 600)
        self.timeout_spin.setValue(30)
        self.timeout_spin.setSuffix(" s")
        self.save_button = QPushButton("Save node")
        self.save_button.clicked.connect(self._save_clicked)
        row = QHBoxLayout()
        row.addWidget(self.saved, 1)
        row.addWidget(self.save_button)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Saved nodes", row)
        form.addRow("Name", self.name_edit)
        form.addRow("Host", self.host_edit)
        form.addRow("Port", self.port_spin)
        form.addRow("PACS AE title", self.aet_edit)
        form.addRow("Our AE title", self.calling_edit)
        form.addRow("Time limit", self.timeout_spin)
        self.saved.activated.connect(self._pick)
        self.reload()

    def reload(self) -> list[PacsNode]:
        """Re-read the saved nodes; the first fills the fields if none are entered yet."""
        try:
            nodes = load_nodes(self.settings)
        except PacsError:
            nodes = []
        self.saved.clear()
        for n in nodes:
            self.saved.addItem(n.name or n.label, n)
        if nodes and not self.host_edit.text():
            self.set_node(nodes[0])
        return nodes

    def _pick(self, index: int) -> None:
        node = self.saved.itemData(index)
        if node is not None:
            self.set_node(node)

    def set_node(self, node: PacsNode) -> None:
        self.name_edit.setText(node.name)
        self.host_edit.setText(node.host)
        self.port_spin.setValue(int(node.port))
        self.aet_edit.setText(node.called_aet)
        self.calling_edit.setText(node.calling_aet)
        self.timeout_spin.setValue(float(node.dimse_timeout_s))

    def node(self) -> PacsNode:
        """The node as entered; PacsError naming what is missing or wrong."""
        host, aet = self.host_edit.text().strip(), self.aet_edit.text().strip()
        if not host or not aet:
            raise PacsError("enter the PACS host and its AE title (or pick a saved node)")
        node = PacsNode(host=host, port=self.port_spin.value(), called_aet=aet,
                        calling_aet=self.calling_edit.text().strip() or DEFAULT_CALLING_AET,
                        name=self.name_edit.text().strip())  # fmt: skip
        return node.with_timeout(self.timeout_spin.value())

    def _save_clicked(self, *_: object) -> None:
        try:
            self.save()
        except PacsError as exc:
            self.failed.emit(str(exc))

    def save(self) -> Path:
        """Add the entered node to the settings (replacing one of the same name); the file written."""
        node = self.node()
        kept = [n for n in load_nodes(self.settings) if (n.name or n.label) != (node.name or node.label)]
        path = save_nodes([*kept, node], self.settings)
        self.reload()
        self.saved.setCurrentIndex(self.saved.findText(node.name or node.label))
        return path

"""The report form: a study's composition, findings, BI-RADS assessments and comments, keyboard-first.

Every change is an undoable command on the report's stack (``review.report_commands``), stored at
once. Keys: Alt+C composition; Alt+G / Alt+L / Alt+O the right, left and overall assessments, then the
digit 0-6 (Alt+R is the Review menu); Alt+M the comments (stored on leaving the box or with
Ctrl+Return); F2 edits a finding's note in the table; Delete takes a finding out of the report;
Ctrl+Alt+Z / Ctrl+Alt+Y undo and redo report edits (Ctrl+Z and Ctrl+Shift+Z stay the findings' undo
and redo); Ctrl+Shift+E exports the PDF and SR.
"""

from __future__ import annotations

from typing import Any

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)  # fmt: skip

from mammoviewer.errors import StoreError
from mammoviewer.geometry.breast_position import describe
from mammoviewer.review.report import BIRADS, COMPOSITIONS, recommendation
from mammoviewer.review.report_commands import EditFinding, EditReport, RemoveFinding

NONE = "\u2014"
SHORT_COMPOSITIONS = {"a": "almost entirely fatty", "b": "scattered fibroglandular", "c": "heterogeneously dense",
                      "d": "extremely dense", "F": "fatty (MIAS)", "G": "fatty-glandular (MIAS)",
                      "D": "dense-glandular (MIAS)"}
COLUMNS = ("#", "Where", "Size", "Type", "Note")
NOTE = COLUMNS.index("Note")


class _Comments(QPlainTextEdit):
    """Free text, stored when the reader leaves it or presses Ctrl+Return."""

    committed = Signal()

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.committed.emit()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.committed.emit()
            return
        super().keyPressEvent(event)


class ReportForm(QWidget):
    """Shows and edits one :class:`~mammoviewer.review.report_commands.ReportDocument`.

    ``exportRequested`` when the reader asks for the PDF and SR; ``failed(str)`` when the store refuses an edit.
    """

    exportRequested = Signal()
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: Any = None
        self.stack: Any = None
        self._unsubscribe: Any = None
        self._refreshing = False  # the form is being filled from the report: not an edit
        self.title = QLabel("Report")
        self.title.setObjectName("panelTitle")
        self.status = QLabel("Open a study to report it.")
        self.status.setWordWrap(True)
        self.composition = QComboBox()
        self.composition.addItems([NONE] + [f"{k}  {v}" for k, v in SHORT_COMPOSITIONS.items()])
        self.composition.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.composition.setMinimumContentsLength(12)
        self.source = QLabel("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.DoubleClicked)  # fmt: skip
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Where"), QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.assess: dict[str, QComboBox] = {}
        self.advice: dict[str, QLabel] = {}
        form = QFormLayout()
        comp_label = QLabel("&Composition")
        comp_label.setBuddy(self.composition)
        form.addRow(comp_label, self.composition)
        form.addRow("", self.source)
        for side, text in (("R", "Ri&ght"), ("L", "&Left"), ("overall", "&Overall")):
            box = QComboBox()
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
            box.addItems([NONE] + [f"{c} {BIRADS[c][0].split(':')[0]}" for c in BIRADS])
            self.assess[side], self.advice[side] = box, QLabel("")
            self.advice[side].setWordWrap(True)
            label = QLabel(text)
            label.setBuddy(box)
            form.addRow(label, box)
            form.addRow("", self.advice[side])
            box.currentIndexChanged.connect(lambda i, side=side: self._set_category(side, i))
        self.comments = _Comments()
        self.comments.setPlaceholderText("Comments")
        self.comments.setTabChangesFocus(True)
        comments_label = QLabel("Co&mments")
        comments_label.setBuddy(self.comments)
        self.export_button = QPushButton("&Export PDF + SR\u2026")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for w in (self.title, self.status):
            layout.addWidget(w)
        layout.addLayout(form)
        layout.addWidget(QLabel("Findings"))
        layout.addWidget(self.table, 1)
        layout.addWidget(comments_label)
        layout.addWidget(self.comments)
        layout.addLayout(buttons)
        self.composition.currentIndexChanged.connect(self._set_composition)
        self.table.itemChanged.connect(self._on_item_changed)
        self.comments.committed.connect(self._set_text)
        self.export_button.clicked.connect(self.exportRequested.emit)
        self.table.installEventFilter(self)
        for keys, slot in (("Ctrl+Alt+Z", self.undo), ("Ctrl+Alt+Y", self.redo),
                           ("Ctrl+Shift+E", self.exportRequested.emit)):  # fmt: skip
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.setEnabled(False)

    def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802
        """Delete in the findings table (not while editing a note) takes the finding out."""
        if (watched is self.table and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete
                and self.table.state() != QAbstractItemView.State.EditingState):  # fmt: skip
            self.remove_selected()
            return True
        return super().eventFilter(watched, event)

    # -- document ----------------------------------------------------------------------
    def set_document(self, doc: Any, stack: Any) -> None:
        """Show ``doc`` (a ReportDocument) and edit it through ``stack``; None clears the form."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self.doc, self.stack = doc, stack
        if doc is not None:
            self._unsubscribe = doc.subscribe(lambda _doc: self.refresh())
        self.setEnabled(doc is not None)
        self.refresh()

    def show_message(self, text: str) -> None:
        """Clear the form and say why (no study, loading, an error)."""
        self.set_document(None, None)
        self.status.setText(text)

    def refresh(self) -> None:
        """Show the document's current report."""
        self._refreshing = True
        try:
            self._fill()
        finally:
            self._refreshing = False

    def _fill(self) -> None:
        report = self.doc.report if self.doc is not None else None
        if report is None:
            self.table.setRowCount(0)
            return
        self.status.setText(f"Study {report.study}" + (f" \u2014 patient {report.patient}" if report.patient else ""))
        keys = list(COMPOSITIONS)
        self.composition.setCurrentIndex(keys.index(report.composition) + 1 if report.composition else 0)
        self.source.setText("from the density model" if report.composition and report.composition_source == "model"
                            else ("" if report.composition else "pick the composition (a-d, or F/G/D)"))  # fmt: skip
        for side, box in self.assess.items():
            value = {"R": report.right, "L": report.left}.get(side, report.overall)
            box.setCurrentIndex(0 if value is None else value + 1)
            shown = report.category(side)
            derived = side == "overall" and report.overall is None and shown is not None
            self.advice[side].setText((f"{shown} (most worrying breast): " if derived else "") + recommendation(shown))
        if self.comments.toPlainText() != report.text:
            self.comments.setPlainText(report.text)
        self.table.blockSignals(True)
        self.table.setRowCount(len(report.findings))
        for row, f in enumerate(report.findings):
            where = describe(f.laterality, f.clock, f.quadrant, f.depth, f.nipple_mm)
            cells = (str(row + 1), where, f"{f.size_mm:.0f} mm" if f.size_mm is not None else "?",
                     " ".join(x for x in (f.label, f.finding_type) if x), f.note)  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, f.id)
                if col != NOTE:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()

    # -- edits -------------------------------------------------------------------------
    def _push(self, command: Any) -> None:
        if self.stack is None or self._refreshing:
            return
        try:
            self.stack.push(command)
        except (StoreError, KeyError, ValueError) as exc:
            self.failed.emit(str(exc))
            self.refresh()

    def _set_composition(self, index: int) -> None:
        value = None if index == 0 else list(COMPOSITIONS)[index - 1]
        if self.doc is not None and value != self.doc.report.composition:
            self._push(EditReport({"composition": value, "composition_source": "reader"}, "set composition"))

    def _set_category(self, side: str, index: int) -> None:
        field = {"R": "right", "L": "left"}.get(side, "overall")
        value = None if index == 0 else index - 1
        if self.doc is not None and getattr(self.doc.report, field) != value:
            self._push(EditReport({field: value}, f"set {field} assessment"))

    def _set_text(self) -> None:
        text = self.comments.toPlainText()
        if self.doc is not None and text != self.doc.report.text:
            self._push(EditReport({"text": text}, "set comments"))

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == NOTE:
            self._push(EditFinding(item.data(Qt.ItemDataRole.UserRole), {"note": item.text()}))

    def remove_selected(self) -> None:
        """Take the selected finding out of the report (the film's finding stays)."""
        item = self.table.currentItem()
        if item is not None:
            self._push(RemoveFinding(item.data(Qt.ItemDataRole.UserRole)))

    def undo(self) -> None:
        """Undo the last report edit."""
        self._step("undo")

    def redo(self) -> None:
        """Redo the last undone report edit."""
        self._step("redo")

    def _step(self, which: str) -> None:
        if self.stack is None:
            return
        try:
            getattr(self.stack, which)()
        except StoreError as exc:
            self.failed.emit(str(exc))
        self.refresh()

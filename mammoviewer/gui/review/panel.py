"""The findings panel beside the film: threshold, findings sorted by score, edit controls.

:class:`FindingsPanel` only shows and asks; it never edits findings. Signals:

* ``thresholdChanged(float)`` (slider and spin box kept in step);
* ``findingSelected(finding_id or "")``;
* ``statusRequested(status)``, ``labelRequested(label)``, ``typeRequested(type or "")``,
  ``noteRequested(finding_id, text)``, ``deleteRequested()``, ``drawRequested()``, ``reviewStateRequested(state)``.
"""

from __future__ import annotations

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSlider,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from mammoviewer.gui.review.case_score import CaseScoreView
from mammoviewer.gui.review.density import DensityView
from mammoviewer.gui.review.overlay import CLASS_COLOURS, REJECTED_COLOUR, is_shown
from mammoviewer.review import FINDING_TYPES, LABELS, REVIEW_STATES, Finding

COLUMNS = ("Class", "Score", "Type", "Status", "Source")
NO_TYPE = "(type not set)"
_ID = Qt.ItemDataRole.UserRole


def sort_key(f: Finding) -> tuple[float, str]:
    """Highest score first; reader boxes (no score) after the scored ones."""
    return (-(f.score if f.score is not None else -1.0), f.id)


def count_text(findings: list[Finding], threshold: float) -> str:
    """E.g. ``"3 findings ≥ 0.45: 1 malignant, 2 benign · 1 accepted, 0 rejected"``."""
    shown = [f for f in findings if is_shown(f, threshold)]
    by_label = {lab: sum(1 for f in shown if f.label == lab) for lab in LABELS}
    accepted = sum(1 for f in shown if f.status == "accepted")
    rejected = sum(1 for f in shown if f.status == "rejected")
    hidden = len(findings) - len(shown)
    text = (f"{len(shown)} finding{'s' if len(shown) != 1 else ''} \u2265 {threshold:.3g}: "
            f"{by_label['malignant']} malignant, {by_label['benign']} benign \u00b7 "
            f"{accepted} accepted, {rejected} rejected")
    if hidden:
        text += f" \u00b7 {hidden} below threshold"
    return text


#: the slider's resolution: 0.001 of score per step
SLIDER_STEPS = 1000


class FindingsPanel(QWidget):
    """Threshold control, findings table and the edit controls of the selected finding."""

    thresholdChanged = Signal(float)
    findingSelected = Signal(str)
    statusRequested = Signal(str)
    labelRequested = Signal(str)
    typeRequested = Signal(str)
    noteRequested = Signal(str, str)  # finding id, note
    deleteRequested = Signal()
    drawRequested = Signal()
    reviewStateRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._findings: list[Finding] = []
        self._threshold = 0.5
        self._selected: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        self.model_label = QLabel("Model: not loaded")
        self.model_label.setWordWrap(True)
        layout.addWidget(self.model_label)

        row = QHBoxLayout()
        row.addWidget(QLabel("Threshold"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(SLIDER_STEPS // 20)
        self.slider.setToolTip("Confidence threshold of the model's pending candidates ([ and ] show one more "
                               "or one fewer); the reader's decisions always show")
        self.spin = QDoubleSpinBox()
        self.spin.setRange(0.0, 1.0)
        self.spin.setSingleStep(0.01)
        self.spin.setDecimals(3)
        self.spin.setKeyboardTracking(False)
        row.addWidget(self.slider, 1)
        row.addWidget(self.spin)
        layout.addLayout(row)
        self.slider.valueChanged.connect(lambda v: self.set_threshold(v / SLIDER_STEPS))
        self.spin.valueChanged.connect(self.set_threshold)

        self.count_label = QLabel("")
        self.count_label.setWordWrap(True)
        layout.addWidget(self.count_label)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        layout.addWidget(self.table, 1)

        edit = QGroupBox("Selected finding")
        form = QFormLayout(edit)
        buttons = QHBoxLayout()
        self.accept_button = QPushButton("Accept (A)")
        self.reject_button = QPushButton("Reject (R)")
        self.delete_button = QPushButton("Delete (Del)")
        for b in (self.accept_button, self.reject_button, self.delete_button):
            buttons.addWidget(b)
        self.accept_button.clicked.connect(lambda: self.statusRequested.emit("accepted"))
        self.reject_button.clicked.connect(lambda: self.statusRequested.emit("rejected"))
        self.delete_button.clicked.connect(self.deleteRequested)
        form.addRow(buttons)
        self.label_combo = QComboBox()
        self.label_combo.addItems(LABELS)
        self.label_combo.activated.connect(lambda i: self.labelRequested.emit(LABELS[i]))
        form.addRow("Class (B/M)", self.label_combo)
        self.type_combo = QComboBox()
        self.type_combo.addItems((NO_TYPE, *FINDING_TYPES))
        self.type_combo.activated.connect(lambda i: self.typeRequested.emit(FINDING_TYPES[i - 1] if i else ""))
        form.addRow("Type (T)", self.type_combo)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("Note (E to edit, Enter to save)")
        self.note_edit.editingFinished.connect(self._on_note)
        self.note_edit.textEdited.connect(self._on_note_typed)
        self._note_for: str | None = None  # the finding whose note is being typed
        form.addRow("Note", self.note_edit)
        layout.addWidget(edit)
        self.edit_box = edit

        self.draw_button = QPushButton("Draw a box (X)")
        self.draw_button.setCheckable(True)
        self.draw_button.clicked.connect(lambda: self.drawRequested.emit())
        layout.addWidget(self.draw_button)

        state_row = QHBoxLayout()
        state_row.addWidget(QLabel("Film review"))
        self.state_combo = QComboBox()
        self.state_combo.addItems(REVIEW_STATES)
        self.state_combo.activated.connect(lambda i: self.reviewStateRequested.emit(REVIEW_STATES[i]))
        state_row.addWidget(self.state_combo, 1)
        layout.addLayout(state_row)
        self.state_label = QLabel("")  # what a reviewed film left undecided
        self.state_label.setObjectName("filmStatus")
        self.state_label.setWordWrap(True)
        self.state_label.hide()
        layout.addWidget(self.state_label)

        self.density = DensityView()  # drawn by gui/review/density.DensityService
        layout.addWidget(self.density)
        case = QGroupBox("Case score")
        case_layout = QVBoxLayout(case)
        self.case_score = CaseScoreView()  # drawn by gui/case_score.CaseScoreService
        case_layout.addWidget(self.case_score)
        layout.addWidget(case)

        self.store_label = QLabel("")
        self.store_label.setWordWrap(True)
        self.store_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.store_label)
        self.set_threshold(self._threshold)
        self._update_controls()

    # -- threshold ---------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        return self._threshold

    def set_threshold(self, value: float) -> None:
        """Set the threshold (clamped to [0, 1]); emits ``thresholdChanged`` when it changed."""
        value = min(1.0, max(0.0, float(value)))
        changed = value != self._threshold
        self._threshold = value
        for w, v in ((self.slider, round(value * SLIDER_STEPS)), (self.spin, value)):
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
        self._refill()
        if changed:
            self.thresholdChanged.emit(value)

    # -- content -----------------------------------------------------------------------
    def set_findings(self, findings: list[Finding]) -> None:
        """Show ``findings`` (sorted by score; below-threshold model findings hidden)."""
        self._findings = sorted(findings, key=sort_key)
        if self._selected not in {f.id for f in self._findings}:
            self._selected = None
        self._refill()

    def visible_ids(self) -> list[str]:
        """Ids of the rows shown, top to bottom."""
        return [f.id for f in self._findings if is_shown(f, self._threshold)]

    def _refill(self) -> None:
        shown = [f for f in self._findings if is_shown(f, self._threshold)]
        self.table.blockSignals(True)
        self.table.setRowCount(len(shown))
        for r, f in enumerate(shown):
            colour = REJECTED_COLOUR if f.status == "rejected" else CLASS_COLOURS[f.label]
            cells = (f.label, "\u2014" if f.score is None else f"{f.score:.2f}", f.finding_type or "",
                     f.status, f.source + (" (edited)" if f.edited and f.source != "reader" else ""))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(_ID, f.id)
                if c == 0:
                    item.setForeground(QColor(colour))
                self.table.setItem(r, c, item)
        self.table.clearSelection()
        if self._selected is not None:
            for r, f in enumerate(shown):
                if f.id == self._selected:
                    self.table.selectRow(r)
                    self.table.scrollToItem(self.table.item(r, 0))
        self.table.blockSignals(False)
        self.count_label.setText(count_text(self._findings, self._threshold) if self._findings else "No findings")
        self._update_controls()

    def select(self, finding_id: str | None) -> None:
        """Select a row without emitting ``findingSelected``."""
        self._selected = finding_id
        self._refill()

    @property
    def selected_id(self) -> str | None:
        return self._selected

    def _on_selection(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        fid = self.table.item(min(rows), 0).data(_ID) if rows else None
        self._selected = fid
        self._update_controls()
        self.findingSelected.emit(fid or "")

    def _selected_finding(self) -> Finding | None:
        return next((f for f in self._findings if f.id == self._selected), None)

    def _update_controls(self) -> None:
        f = self._selected_finding()
        self.edit_box.setEnabled(f is not None)
        if f is None:
            self.note_edit.clear()
            return
        self.label_combo.setCurrentIndex(LABELS.index(f.label))
        self.type_combo.setCurrentIndex(FINDING_TYPES.index(f.finding_type) + 1 if f.finding_type else 0)
        if not self.note_edit.hasFocus():
            self.note_edit.setText(f.note)

    def _on_note_typed(self, text: str) -> None:
        if self._note_for is None:
            self._note_for = self._selected

    def _on_note(self) -> None:
        fid, self._note_for = self._note_for or self._selected, None
        f = next((x for x in self._findings if x.id == fid), None)
        if f is not None and self.note_edit.text() != f.note:
            self.noteRequested.emit(f.id, self.note_edit.text())

    # -- film-level state --------------------------------------------------------------
    def set_review_state(self, state: str, status: str = "") -> None:
        """Show the film's review ``state`` and its ``status`` line (e.g. what was left pending)."""
        self.state_combo.setCurrentIndex(REVIEW_STATES.index(state))
        self.state_label.setText(status)
        self.state_label.setVisible(bool(status))

    def set_draw_mode(self, on: bool) -> None:
        self.draw_button.setChecked(on)

    def set_model_text(self, text: str) -> None:
        self.model_label.setText(text)

    def set_store_text(self, text: str) -> None:
        self.store_label.setText(text)

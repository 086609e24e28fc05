"""Tools › Retrain Detector from Reviewed Films…: fine-tune the detector in the background.

:class:`RetrainDialog` runs :func:`mammoviewer.detect.finetune.finetune` (through
:func:`~mammoviewer.gui.tools.retrain_job.run_retraining`) on the window's job
runner (channel "retrain") with a progress bar and a Cancel button, then shows the current and
the new model side by side on reference films of patients neither model trained on (sensitivity at
1 false positive per image, mAP), or says plainly what biases the check where there are none. The
reference folder (mini-MIAS films) is chosen in the dialog and remembered in the user's settings
(:mod:`~mammoviewer.gui.tools.reference_data`). It offers "Use the new model" only when the new
model is not worse on that check; the choice leaves as ``modelSwitchRequested(path)``. The new model goes to a fresh folder in the
user's data folder, never over the model in use or the bundled one. Installed with one call::

    install_retrain_action(window, store_path, model_path, on_switch=review.use_model)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from mammoviewer.gui.jobs import TENSORFLOW
from mammoviewer.gui.tools.reference_data import ReferenceFolder, ReferenceRow
from mammoviewer.gui.tools.retrain_job import (CancelFlag, default_cache_dir, default_mias_dir, default_output_dir,
                                         output_problem, run_retraining)

CHANNEL = "retrain"
PROGRESS_STEPS = 1000
#: (row title, key path in the evaluation dict) of the before/after table
FIGURES = (("Sensitivity at 1 FP/image", ("froc", "1")), ("mAP (VOC)", ("map_voc",)))


def figure(evaluation: dict, keys: tuple[str, ...]) -> float | None:
    value: Any = evaluation
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return None if value is None else float(value)


def _fmt(value: float | None) -> str:
    return "\u2014" if value is None or value != value else f"{value:.3f}"


class RetrainDialog(QDialog):
    """Fine-tune the detector on the store's reviewed films; see the module docstring.

    ``finetune_fn(cfg, progress=, cancel=) -> FinetuneReport`` defaults to the real
    :func:`~mammoviewer.detect.finetune.finetune`. ``previous_model`` is the model in use
    when the dialog opened (None: the bundled one), for a "Restore previous model" offer. ``mias_dir``
    is the reference folder to start with; by default the one remembered in the window's settings, else
    the project's shared MIAS folder when there is one.
    """

    modelSwitchRequested = Signal(str)
    retrainFinished = Signal(object)  # the report
    retrainFailed = Signal(str)

    def __init__(self, window, store_path: str | Path, current_model_path: str | Path | None,
                 mias_dir: str | Path | None = None, *, finetune_fn: Callable[..., Any] | None = None,
                 out_dir: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.setWindowTitle("Retrain Detector from Reviewed Films")
        self.setModal(False)
        self.window_ = window
        self.store_path = str(store_path)
        self.previous_model: str | None = str(current_model_path) if current_model_path else None
        recent = getattr(window, "recent", None)
        self.reference = ReferenceFolder(getattr(recent, "settings", None))
        self.mias_dir = str(mias_dir) if mias_dir else self.reference.current(default_mias_dir())
        if finetune_fn is None:
            from mammoviewer.detect.finetune import finetune as finetune_fn
        self.finetune_fn = finetune_fn
        self.cancel_event = CancelFlag()
        self.report: Any = None
        self.state = "idle"  # idle, running, cancelling, cancelled, failed, done
        self._job = None
        self._build(Path(out_dir) if out_dir else default_output_dir())

    # -- layout ----------------------------------------------------------------------------
    def _build(self, out_dir: Path) -> None:
        intro = QLabel(
            f"Fine-tunes the detector on the films marked <b>reviewed</b> in {Path(self.store_path).name}: "
            "accepted, moved and drawn boxes are the truth, rejected ones become hard negatives. Old and new "
            "model are then scored on reference films the fine-tuning never trains on.")
        intro.setWordWrap(True)
        model = self.previous_model or "the bundled model"
        self.reference_row = ReferenceRow(self.reference, self.mias_dir)
        self.reference_row.changed.connect(self._set_reference)
        self.out_edit = QLineEdit(str(out_dir))
        change = QPushButton("Change\u2026")
        change.clicked.connect(self._choose_output)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_edit, 1)
        out_row.addWidget(change)
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 50)
        self.epochs_spin.setValue(3)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 1000)
        self.steps_spin.setValue(40)
        form = QFormLayout()
        form.addRow("Start from", QLabel(model))
        form.addRow("Reference films", self.reference_row)
        form.addRow("New model folder", out_row)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Steps per epoch", self.steps_spin)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)
        self.message_label = QLabel("Not started")
        self.message_label.setWordWrap(True)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.results_table = QTableWidget(len(FIGURES), 2)
        self.results_table.setHorizontalHeaderLabels(["Current model", "New model"])
        self.results_table.setVerticalHeaderLabels([title for title, _ in FIGURES])
        self.results_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.results_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results_table.hide()
        self.start_button = QPushButton("Start")
        self.cancel_button = QPushButton("Cancel")
        self.use_button = QPushButton("Use the new model")
        self.close_button = QPushButton("Close")
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button.clicked.connect(self.use_new_model)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.message_label)
        layout.addWidget(self.results_table)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self._settings = (self.out_edit, change, self.epochs_spin, self.steps_spin, self.reference_row)
        self._show_state("idle")
        self.resize(620, self.sizeHint().height())

    def _show_state(self, state: str) -> None:
        self.state = state
        running = state in ("running", "cancelling")
        self.start_button.setVisible(state in ("idle", "failed", "cancelled"))
        self.start_button.setText("Start" if state == "idle" else "Start again")
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(state == "running")
        self.use_button.setVisible(state == "done" and self._offer_new_model())
        for widget in self._settings:
            widget.setEnabled(not running and state != "done")
        hint = self.sizeHint()
        if hint.height() > self.height():
            self.resize(self.width(), hint.height())

    def _set_reference(self, folder: str) -> None:
        self.mias_dir = folder

    # -- running ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.state in ("running", "cancelling")

    def output_dir(self) -> Path:
        return Path(self.out_edit.text().strip()).expanduser().absolute()

    def start(self) -> None:
        """Start the fine-tuning on the window's job runner (channel "retrain")."""
        if self.is_running():
            return
        from mammoviewer.detect.finetune import FinetuneConfig

        out = self.output_dir()
        problem = output_problem(out, self.previous_model)
        if problem:
            self._show_failure(problem)
            return
        cfg = FinetuneConfig(store=self.store_path, model=self.previous_model, out=str(out),
                             images=self.mias_dir, epochs=self.epochs_spin.value(),
                             steps_per_epoch=self.steps_spin.value(), cache_dir=str(default_cache_dir()))
        self.cancel_event = CancelFlag()
        self.report = None
        self.results_table.hide()
        self.result_label.clear()
        self.progress_bar.setValue(0)
        self.message_label.setText("Starting\u2026 (while it runs, detection on other films waits its turn)")
        self._show_state("running")
        job = self.window_.jobs.submit(run_retraining, self.finetune_fn, cfg, self.cancel_event,
                                       channel=CHANNEL, with_control=True, lane=TENSORFLOW)
        job.progress.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        self._job = job

    def cancel(self) -> None:
        """Ask the running fine-tuning to stop; the dialog says so once it has stopped."""
        if self.state != "running":
            return
        self.cancel_event.set()
        self.message_label.setText("Cancelling\u2026 (the current training step finishes first)")
        self._show_state("cancelling")

    def _on_progress(self, value: object) -> None:
        message, fraction = value if isinstance(value, tuple) else ("", float(value))  # type: ignore[misc]
        self.progress_bar.setValue(int(round(max(0.0, min(1.0, fraction)) * PROGRESS_STEPS)))
        if message and self.state == "running":
            self.message_label.setText(message)

    def _on_failed(self, message: str) -> None:
        self._job = None
        if self.cancel_event.is_set():
            self.progress_bar.setValue(0)
            self.message_label.setText("Retraining cancelled, nothing written. The current model stays in use.")
            self._show_state("cancelled")
            return
        self._show_failure(message)
        self.retrainFailed.emit(message)

    def _show_failure(self, message: str) -> None:
        self.message_label.setText(f"Retraining failed: {message}")
        self._show_state("failed")

    def _on_finished(self, report: Any) -> None:
        self._job = None
        self.report = report
        self.progress_bar.setValue(PROGRESS_STEPS)
        self.message_label.setText(
            f"Wrote {report.model_path} ({report.reviewed_films} reviewed films, {report.truth_boxes} boxes, "
            f"{report.hard_negatives} hard negatives, {report.seconds:.0f} s).")
        self._show_results(report)
        self._show_state("done")
        self.retrainFinished.emit(report)

    def _offer_new_model(self) -> bool:
        r = self.report
        return r is not None and bool(r.heldout_films) and bool(r.not_worse)

    def _show_results(self, report: Any) -> None:
        for row, (_, keys) in enumerate(FIGURES):
            for col, evaluation in enumerate((report.before, report.after)):
                item = QTableWidgetItem(_fmt(figure(evaluation, keys)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.results_table.setItem(row, col, item)
        table = self.results_table
        table.resizeRowsToContents()
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
                             + sum(table.rowHeight(r) for r in range(table.rowCount())))
        n = len(report.heldout_films)
        if not n:
            self.results_table.hide()
            self.result_label.setText(
                "No reference films were scored (no reference folder chosen), so the new model cannot be "
                "compared with the current one. The current model stays in use.")
            return
        self.results_table.show()
        films = getattr(report, "comparison", "") or f"{n} films"
        bias = getattr(report, "bias", None)
        said = (f"Compared on {films}. This comparison is BIASED: {bias}." if bias
                else f"Compared on {films}.")  # fmt: skip
        if report.not_worse:
            self.result_label.setText(
                f"{said} The new model is not worse than the current one. "
                "Use it with \u201cUse the new model\u201d, or keep the current one by closing this dialog.")
        else:
            self.result_label.setText(
                f"{said} The new model is WORSE than the current one, so the current model stays in use. "
                f"The new model was kept in {Path(report.model_path).parent} for reference.")

    def use_new_model(self) -> None:
        """Emit ``modelSwitchRequested`` with the new model's path (only if it is not worse)."""
        if self.state != "done" or not self._offer_new_model():
            return
        path = str(self.report.model_path)
        self.use_button.setEnabled(False)
        previous = self.previous_model or "the bundled model"
        self.result_label.setText(f"Now using {path}. The previous model was {previous}.")
        self.modelSwitchRequested.emit(path)

    # -- small helpers -----------------------------------------------------------------------
    def ask_output_dir(self) -> str | None:
        """The folder picked for the new model (a new subfolder is made in it), or None."""
        folder = QFileDialog.getExistingDirectory(self, "Folder for the new model", str(self.output_dir().parent))
        return folder or None

    def _choose_output(self) -> None:
        folder = self.ask_output_dir()
        if folder:
            self.out_edit.setText(str(Path(folder) / default_output_dir().name))

    def closeEvent(self, event) -> None:  # noqa: N802
        """Closing while running cancels the fine-tuning (nothing is written)."""
        self.cancel()
        super().closeEvent(event)


# the Tools menu entry and the launcher live in retrain_menu; imported here for the callers of this module
from mammoviewer.gui.tools.retrain_menu import RetrainLauncher, install_retrain_action  # noqa: E402


__all__ = ["CancelFlag", "ReferenceFolder", "RetrainDialog", "RetrainLauncher", "default_output_dir",
           "install_retrain_action", "output_problem", "run_retraining"]

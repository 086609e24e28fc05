"""Tools › Retrain Detector from Reviewed Films…: fine-tune the detector in the background.

:class:`RetrainDialog` runs :func:`mammoviewer.detect.finetune.finetune` (through
:func:`~mammoviewer.gui.tools.retrain_job.run_retraining`) on the window's job
runner (channel "retrain") with a progress bar and a Cancel button, then shows the current and
the new model side by side on the held-out films (sensitivity at 1 false positive per image,
mAP). It offers "Use the new model" only when the new model is not worse on that check; the
choice leaves as ``modelSwitchRequested(path)``. The new model goes to a fresh folder in the
user's data folder, never over the model in use or the bundled one. Installed with one call::

    install_retrain_action(window, store_path, model_path, on_switch=review.use_model)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QDialog, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMenu, QProgressBar, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from mammoviewer.gui.jobs import TENSORFLOW
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
    when the dialog opened (None: the bundled one), for a "Restore previous model" offer.
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
        self.mias_dir = str(mias_dir) if mias_dir else default_mias_dir()
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
            "accepted and drawn boxes are the truth, rejected ones become hard negatives. Old and new "
            "model are then scored on held-out patients that never give training data.")
        intro.setWordWrap(True)
        model = self.previous_model or "the bundled model"
        mias = self.mias_dir or "none (reviewed films only: no held-out check, the new model cannot be offered)"
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
        form.addRow("Original MIAS films", QLabel(mias))
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
        self._settings = (self.out_edit, change, self.epochs_spin, self.steps_spin)
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
                "No held-out films were scored (no original MIAS films given), so the new model cannot be "
                "compared with the current one. The current model stays in use.")
        elif report.not_worse:
            self.results_table.show()
            self.result_label.setText(
                f"Held-out check on {n} films: the new model is not worse than the current one. "
                "Use it with \u201cUse the new model\u201d, or keep the current one by closing this dialog.")
        else:
            self.results_table.show()
            self.result_label.setText(
                f"Held-out check on {n} films: the new model is WORSE than the current one, so the current "
                f"model stays in use. The new model was kept in {Path(report.model_path).parent} for reference.")

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


class RetrainLauncher(QObject):
    """Opens one :class:`RetrainDialog` at a time for a window; ``dialog`` is the latest."""

    def __init__(self, window, store_path: Callable[[], str | None], model_path: Callable[[], str | None],
                 on_switch: Callable[[str], None], **dialog_options: Any) -> None:
        super().__init__(window)
        self.window = window
        self.store_path, self.model_path, self.on_switch = store_path, model_path, on_switch
        self.dialog_options = dialog_options
        self.dialog: RetrainDialog | None = None
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

    def open(self) -> RetrainDialog | None:
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


__all__ = ["CancelFlag", "RetrainDialog", "RetrainLauncher", "default_output_dir", "install_retrain_action",
           "output_problem", "run_retraining"]

"""File › Import Annotations… and File › Export Annotations…: labels in and out of the review store.

Installed on a window with one call::

    actions = install_file_actions(window, store_path=lambda: str(session.path))
    actions.storeChanged.connect(review.refresh)     # after an import

Import reads a MIAS ``Info.txt`` or a COCO JSON plus the folder of its images; export
writes MIAS, COCO, VOC, YOLO or CSV. Both run on the window's job runner (never on the
UI thread), report success in the status bar and errors (ExportError, StoreError) in the
window's banner. The questions asked of the user are methods (``ask_import_source``,
``ask_export_target``) so that tests can replace them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget)

from mammoviewer.formats import EXPORT_FORMATS, ExportSummary, ImportSummary

#: the formats that can mark a film "in progress", a candidate "pending" or a finding "rejected"
STATUS_FORMATS = ("coco", "csv")
#: format -> (what the user sees, default output name, file-dialog filter); voc and yolo write a folder
FORMAT_INFO = {
    "mias": ("MIAS Info.txt", "annotations-mias.txt", "MIAS Info (*.txt)"),
    "coco": ("COCO JSON", "annotations-coco.json", "COCO JSON (*.json)"),
    "voc": ("Pascal VOC (folder of XML files)", "annotations-voc", ""),
    "yolo": ("YOLO (folder of text files)", "annotations-yolo", ""),
    "csv": ("CSV table", "annotations.csv", "CSV (*.csv)"),
}
FOLDER_FORMATS = ("voc", "yolo")
IMPORT_FILTER = "MIAS Info.txt or COCO JSON (*.txt *.json);;All files (*)"
STATUS_TIMEOUT_MS = 20000


# -- the work itself (plain functions, run on a worker thread) ------------------------------
def import_labels(store_path: str, fmt: str, labels: str, images: str) -> ImportSummary:
    """Import ``labels`` (``fmt`` "mias" or "coco") with the images in ``images`` into the store."""
    from mammoviewer.formats import import_coco, import_mias
    from mammoviewer.review.store import ReviewStore

    load = import_mias if fmt == "mias" else import_coco
    with ReviewStore.open(store_path, create=True) as store:
        return load(store, labels, images)


def export_labels(store_path: str, fmt: str, out: str, reviewed_only: bool, include_pending: bool = False,
                  include_in_progress: bool = False, include_rejected: bool = False) -> ExportSummary:
    """Export the store's findings as ``fmt`` to ``out`` by the truth rule (films marked reviewed; see
    :func:`mammoviewer.formats.export_store` for what each ``include_*`` adds)."""
    from mammoviewer.formats import export_store
    from mammoviewer.review.store import ReviewStore

    with ReviewStore.open(store_path, create=False, read_only=True) as store:
        return export_store(store, fmt, out, reviewed_only=reviewed_only, include_pending=include_pending,
                            include_in_progress=include_in_progress, include_rejected=include_rejected)


def import_format(labels: str | Path) -> str:
    """"coco" for a ``.json`` file, else "mias"."""
    return "coco" if Path(labels).suffix.lower() == ".json" else "mias"


def describe_import(summary: ImportSummary, labels: str, images: str) -> str:
    films = "film" if summary.images == 1 else "films"
    text = f"Imported {summary.findings} findings on {summary.images} {films} from {Path(labels).name}"
    if summary.unlocated:
        text += f"; {summary.unlocated} rows without a location kept in the film notes"
    if summary.missing:
        shown = ", ".join(summary.missing[:5]) + (" \u2026" if len(summary.missing) > 5 else "")
        text += f"; {len(summary.missing)} not found in {images}: {shown}"
    return text


def describe_export(summary: ExportSummary, out: str, reviewed_only: bool) -> str:
    films = "film" if summary.images == 1 else "films"
    text = f"Exported {summary.findings} findings from {summary.images} {films} to {out}"
    if summary.pending:
        text += f", {summary.pending} of them pending model candidates"
    if summary.rejected:
        text += f" (and {summary.rejected} rejected)"
    if reviewed_only and summary.images == 0:
        text += " \u2014 no film is marked reviewed yet"
    return text


# -- the export options dialog ---------------------------------------------------------------
class ExportOptionsDialog(QDialog):
    """Format, what beyond the reviewed films' truth to add (formats that can mark it), and output path."""

    def __init__(self, parent: QWidget | None = None, start_dir: str | Path | None = None,
                 fmt: str = "coco") -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Annotations")
        self._dir = Path(start_dir) if start_dir else Path.home()
        self.format_combo = QComboBox()
        for key, (label, _, _) in FORMAT_INFO.items():
            self.format_combo.addItem(label, key)
        self.truth_label = QLabel("Films marked reviewed, as truth (normal only when reviewed with no finding)")
        self.truth_label.setWordWrap(True)
        self.in_progress_check = QCheckBox("Also the reader's decisions on films in progress (marked so; never normal)")
        self.pending_check = QCheckBox("Also the model's pending candidates (not reviewed: not truth)")
        self.rejected_check = QCheckBox("Also rejected findings, as hard negatives (category \"rejected\")")
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Format", self.format_combo)
        form.addRow("Writes", self.truth_label)
        form.addRow("", self.in_progress_check)
        form.addRow("", self.pending_check)
        form.addRow("", self.rejected_check)
        form.addRow("Write to", path_row)
        form.addRow(self.buttons)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.path_edit.textChanged.connect(self._update_ok)
        self.format_combo.setCurrentIndex(list(FORMAT_INFO).index(fmt) if fmt in FORMAT_INFO else 0)
        self._format_changed()
        self.resize(520, self.sizeHint().height())

    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def choice(self) -> tuple[str, str, bool, bool, bool, bool]:
        """``(format, output path, reviewed_only, include_pending, include_in_progress, include_rejected)``
        as now entered (reviewed_only is the truth rule's default; an option the format cannot mark is off)."""
        marks = self.fmt() in STATUS_FORMATS
        return (self.fmt(), self.path_edit.text().strip(), True, marks and self.pending_check.isChecked(),
                marks and self.in_progress_check.isChecked(), marks and self.rejected_check.isChecked())

    def _format_changed(self, *_: object) -> None:
        """Offer only what the format can mark; suggest its default name in the folder of the path so far."""
        marks = self.fmt() in STATUS_FORMATS
        why = "" if marks else "Only COCO and CSV can mark it (MIAS writes rejected findings to its side file)"
        for box in (self.in_progress_check, self.pending_check, self.rejected_check):
            box.setEnabled(marks)
            box.setToolTip(why)
        text = self.path_edit.text().strip()
        if text and Path(text).name not in {name for _, name, _ in FORMAT_INFO.values()}:
            return  # a name the user chose: keep it
        folder = Path(text).parent if text else self._dir
        self.path_edit.setText(str(folder / FORMAT_INFO[self.fmt()][1]))

    def _update_ok(self, *_: object) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.path_edit.text().strip()))

    def _browse(self) -> None:
        current = self.path_edit.text().strip() or str(self._dir)
        path, _ = QFileDialog.getSaveFileName(self, "Export to", current, FORMAT_INFO[self.fmt()][2])
        if path:
            self.path_edit.setText(path)


# -- the actions ------------------------------------------------------------------------------
class FileActions(QObject):
    """The Import/Export Annotations actions of one window.

    Signals: ``storeChanged()`` after an import wrote to the store; ``importFinished(ImportSummary)``,
    ``exportFinished(ExportSummary)``; ``failed(message)`` (also shown in the window's banner).
    """

    storeChanged = Signal()
    importFinished = Signal(object)
    exportFinished = Signal(object)
    failed = Signal(str)

    IMPORT_CHANNEL = "annotations-import"
    EXPORT_CHANNEL = "annotations-export"

    def __init__(self, window, store_path: Callable[[], str | None]) -> None:
        super().__init__(window)
        self.window = window
        self.store_path = store_path
        self.last_dir = Path.home()
        self.import_action = QAction("&Import Annotations\u2026", window)
        self.import_action.setObjectName("import_annotations")
        self.import_action.setStatusTip("Load MIAS Info.txt or COCO JSON labels into the review store")
        self.import_action.triggered.connect(lambda *_: self.ask_and_import())
        self.export_action = QAction("&Export Annotations\u2026", window)
        self.export_action.setObjectName("export_annotations")
        self.export_action.setStatusTip("Write the review store's findings as MIAS, COCO, VOC, YOLO or CSV")
        self.export_action.triggered.connect(lambda *_: self.ask_and_export())

    # -- questions (tests replace these) -----------------------------------------------------
    def ask_import_source(self) -> tuple[str, str, str] | None:
        """``(format, labels file, images folder)`` chosen by the user, or None."""
        labels, _ = QFileDialog.getOpenFileName(self.window, "Import annotations", str(self.last_dir),
                                                IMPORT_FILTER)
        if not labels:
            return None
        images = QFileDialog.getExistingDirectory(self.window, "Folder holding the images",
                                                  str(Path(labels).parent))
        if not images:
            return None
        return import_format(labels), labels, images

    def ask_export_target(self) -> tuple | None:
        """``(format, output path, reviewed_only, include_pending, include_in_progress, include_rejected)``
        chosen in :class:`ExportOptionsDialog`, or None."""
        dialog = ExportOptionsDialog(self.window, self.last_dir)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            choice = dialog.choice()
            return choice if choice[1] else None
        finally:
            dialog.deleteLater()

    # -- running ----------------------------------------------------------------------------
    def ask_and_import(self):
        """Ask for the labels and run the import; the Job, or None if nothing was started."""
        source = self.ask_import_source()
        return self.import_annotations(*source) if source else None

    def ask_and_export(self):
        """Ask for format and target and run the export; the Job, or None if nothing was started."""
        target = self.ask_export_target()
        return self.export_annotations(*target) if target else None

    def _store(self) -> str | None:
        path = self.store_path()
        if not path:
            self._fail("No review store is open; findings review is off")
            return None
        return str(path)

    def import_annotations(self, fmt: str, labels: str, images: str):
        """Import ``labels`` into the current store on a worker thread; returns the Job (or None)."""
        store = self._store()
        if store is None:
            return None
        self.last_dir = Path(labels).parent
        self.window.statusBar().showMessage(f"Importing {Path(labels).name}\u2026")
        job = self.window.jobs.submit(import_labels, store, fmt, str(labels), str(images),
                                      channel=self.IMPORT_CHANNEL)
        self._busy(job)
        job.finished.connect(lambda summary: self._imported(summary, str(labels), str(images)))
        job.failed.connect(self._fail)
        return job

    def export_annotations(self, fmt: str, out: str, reviewed_only: bool = True, include_pending: bool = False,
                           include_in_progress: bool = False, include_rejected: bool = False):
        """Export the current store to ``out`` on a worker thread; returns the Job (or None)."""
        store = self._store()
        if store is None:
            return None
        if fmt not in EXPORT_FORMATS:
            self._fail(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
            return None
        self.last_dir = Path(out).parent
        self.window.statusBar().showMessage(f"Exporting to {out}\u2026")
        job = self.window.jobs.submit(export_labels, store, fmt, str(out), bool(reviewed_only),
                                      bool(include_pending), bool(include_in_progress), bool(include_rejected),
                                      channel=self.EXPORT_CHANNEL)
        self._busy(job)
        job.finished.connect(lambda summary: self._exported(summary, str(out), bool(reviewed_only)))
        job.failed.connect(self._fail)
        return job

    def _busy(self, job) -> None:
        """Grey out both actions until ``job`` ends (one import or export at a time)."""
        for action in (self.import_action, self.export_action):
            action.setEnabled(False)
        job.done.connect(self._idle)

    def _idle(self) -> None:
        for action in (self.import_action, self.export_action):
            action.setEnabled(True)

    def _imported(self, summary: ImportSummary, labels: str, images: str) -> None:
        self.window.statusBar().showMessage(describe_import(summary, labels, images), STATUS_TIMEOUT_MS)
        self.importFinished.emit(summary)
        self.storeChanged.emit()

    def _exported(self, summary: ExportSummary, out: str, reviewed_only: bool) -> None:
        self.window.statusBar().showMessage(describe_export(summary, out, reviewed_only), STATUS_TIMEOUT_MS)
        self.exportFinished.emit(summary)

    def _fail(self, message: str) -> None:
        self.window.statusBar().clearMessage()
        self.window.show_error(message)
        self.failed.emit(message)


def install_file_actions(window, store_path: Callable[[], str | None]) -> FileActions:
    """Add Import/Export Annotations to ``window.menus["file"]`` (above Quit); returns the actions.

    ``store_path()`` gives the review store file in use (None: no store, the actions say so).
    """
    actions = FileActions(window, store_path)
    menu = window.menus["file"]
    quit_action = window.actions_by_name.get("quit")
    before = quit_action if quit_action in menu.actions() else None
    for action in (actions.import_action, actions.export_action):
        window.actions_by_name[action.objectName()] = action
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)
    if before is not None:
        menu.insertSeparator(before)
    return actions


__all__ = ["ExportOptionsDialog", "FileActions", "export_labels", "import_labels", "install_file_actions"]

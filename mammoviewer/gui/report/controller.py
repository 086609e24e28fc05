"""The report dock beside the hanging view, and the exam scores in the Studies panel and worklist.

The dock is a tab beside Findings; F8 (View › Report form) brings it forward with the keyboard in it.

When the study reader shows a study, its report is opened: the stored one, or one pre-filled on a
worker (films loaded, nipple and chest wall found, composition from the density model where it is
installed: ``reporting.composition``) and stored as the study's report. Exam scores are read from
the store on a worker whenever studies are opened or the detector stores findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QScrollArea

from mammoviewer.errors import MammoViewerError
from mammoviewer.gui.report.form import ReportForm
from mammoviewer.review.commands import CommandStack
from mammoviewer.review.report_commands import ReportDocument
from mammoviewer.review.report_table import ReportTable


def _prefill(study: Any, store: Any) -> Any:
    """Worker: the pre-filled report of ``study``."""
    from mammoviewer.reporting.composition import composition_of
    from mammoviewer.reporting.export import load_films
    from mammoviewer.reporting.prefill import prefill

    return prefill(study, store, load_films(study), composition_of)


def _export(study: Any, store: Any, folder: str) -> str:
    """Worker: write the study's PDF and SR into ``folder``."""
    from pydicom.uid import generate_uid

    from mammoviewer.gui.report.pdf import write_pdf
    from mammoviewer.reporting.export import export_study

    files = export_study(study, store, Path(folder), write_pdf, generate_uid())
    return f"Wrote {files.pdf.name} and {files.sr.name} into {folder}"


def _exam_scores(studies: list, store: Any) -> list:
    """Worker: each study's exam score (None without detector findings or an exam scale)."""
    from mammoviewer.classify.exam_store import exam_scores, load_case_card

    return exam_scores(studies, store, load_case_card())


class ReportController(QObject):
    """Wires the report form to the study reader (``reader.study``, ``studyShown``) and its review."""

    def __init__(self, reader: Any) -> None:
        super().__init__(reader)
        self.reader, self.window, self.review = reader, reader.window, reader.review
        self.form = ReportForm()
        scroll = QScrollArea()  # the form scrolls: the dock never forces the window to grow
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        scroll.setMinimumSize(120, 80)
        self.dock = self.window.add_dock("Report", scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        if self.review is not None and hasattr(self.review, "dock"):
            self.window.tabifyDockWidget(self.review.dock, self.dock)  # a tab beside Findings, full height
        self.dock.hide()
        self.action = QAction("&Report form", self.window)
        self.action.setShortcut(QKeySequence("F8"))
        self.action.triggered.connect(self.focus)
        self.window.addAction(self.action)
        if "view" in getattr(self.window, "menus", {}):
            self.window.menus["view"].addAction(self.action)
        self.doc: ReportDocument | None = None
        self._scores_timer = QTimer(self)
        self._scores_timer.setSingleShot(True)
        self._scores_timer.setInterval(400)
        self._scores_timer.timeout.connect(self.refresh_exam_scores)
        reader.studyShown.connect(self.show_study)
        reader.studyShown.connect(lambda _i: self._scores_timer.start())
        self.form.exportRequested.connect(self.export)
        self.form.failed.connect(self.window.show_error)
        if self.review is not None:
            self.review.detection.prefetched.connect(lambda _key: self._scores_timer.start())
            self.review.findingsShown.connect(lambda _key: self._scores_timer.start())

    def focus(self) -> None:
        """Bring the report forward and put the keyboard in it (F8)."""
        self.dock.show()
        self.dock.raise_()
        self.form.composition.setFocus()

    @property
    def store(self) -> Any:
        return self.review.session.store if self.review is not None else None

    def show_study(self, _index: int = -1) -> None:
        """Open the current study's report (pre-filled on a worker when it has none yet)."""
        study = self.reader.study
        if study is None or self.store is None:
            self.form.show_message("No review store: reports are kept in the review store.")
            return
        self.dock.show()
        try:
            stored = ReportTable(self.store).report(study.study)
        except MammoViewerError as exc:
            self.form.show_message(f"No report: {exc}")
            return
        if stored is not None:  # reported before: no need to load the films again
            self._open(study, stored)
            return
        self.form.show_message(f"Preparing the report of {study.study}\u2026")
        job = self.window.jobs.submit(_prefill, study, self.store, channel="report")
        job.finished.connect(lambda report: self._open(study, report))
        job.failed.connect(lambda message: self.form.show_message(f"No report: {message}"))

    def _open(self, study: Any, prefilled: Any) -> None:
        if self.reader.study is not study:
            return  # the reader moved on
        try:
            self.doc = ReportDocument.open(self.store, prefilled)
        except MammoViewerError as exc:
            self.form.show_message(f"No report: {exc}")
            return
        self.form.set_document(self.doc, CommandStack(self.doc))  # type: ignore[arg-type]

    def export(self) -> None:
        """Ask for a folder and write the current study's PDF and SR there (on a worker)."""
        study = self.reader.study
        if study is None or self.store is None:
            return
        folder = QFileDialog.getExistingDirectory(self.window, "Export the report (PDF and DICOM SR) into")
        if folder:
            self.export_to(folder)

    def export_to(self, folder: str) -> Any:
        """Write the current study's report into ``folder`` on a worker; the job."""
        job = self.window.jobs.submit(_export, self.reader.study, self.store, folder, channel="report-export")
        job.finished.connect(lambda text: self.window.statusBar().showMessage(text, 8000))
        job.failed.connect(self.window.show_error)
        return job

    def refresh_exam_scores(self) -> Any:
        """Read the studies' exam scores from the store (worker) and show them in both lists; the job, or
        None when there is nothing to score."""
        self._scores_timer.stop()
        studies = list(self.reader.studies)
        if not studies or self.store is None:
            return None
        job = self.window.jobs.submit(_exam_scores, studies, self.store, channel="exam-score")
        job.finished.connect(lambda scores: self._show_scores(studies, scores))
        return job

    def _show_scores(self, studies: list, scores: list) -> None:
        if studies != list(self.reader.studies):
            return
        self.reader.list.set_exam_scores(scores)
        self.window.worklist.set_exam_scores({f.path: s for study, s in zip(studies, scores) for f in study.films})

"""Findings review in the viewer window: wires the window, the store, the detector and the overlay.

:class:`ReviewController` adds a Findings panel, the Review menu and status-bar items to a
:class:`~mammoviewer.gui.viewer.main_window.MainWindow`. Every reader edit becomes a command of
``mammoviewer.review`` pushed on the film's :class:`CommandStack`, which persists it at
once; the overlay and panel only redraw what the document holds. A film that already has
findings of the loaded model version is shown from the store, never re-detected.

The controller is composed of parts, each an object that can be read and tested alone (as napari's
viewer composes its parts): ``editing`` (:class:`ReviewEditing`, the reader's edits),
``background`` (:class:`BackgroundDetection`, the next few films detected ahead), ``retarget``
(:class:`ReviewRetarget`, the review moving to another pane) and ``status`` (:class:`ModeStatus`, its
status-bar items). ``push``, ``undo``, ``redo``, ``set_view`` and ``set_background_detection`` stay
on the controller for its callers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from mammoviewer.errors import StoreError
from mammoviewer.gui.review.case_score import CaseScoreService
from mammoviewer.gui.review.density import DensityService
from mammoviewer.gui.review.actions import REVIEW_HELP, build_review_actions
from mammoviewer.gui.review.detection import DetectorService, describe_model
from mammoviewer.gui.review.editing import ReviewEditing
from mammoviewer.gui.review.film_kind import not_a_mammogram
from mammoviewer.gui.review.locate_tool import LocateTool
from mammoviewer.gui.review.mode_status import ModeStatus
from mammoviewer.gui.review.prefetch import BackgroundDetection
from mammoviewer.gui.review.overlay import FindingOverlay
from mammoviewer.gui.review.retarget import ReviewRetarget
from mammoviewer.gui.review.review_state import WorklistStates, film_status
from mammoviewer.gui.review.panel import FindingsPanel
from mammoviewer.gui.review.store_location import open_store
from mammoviewer.gui.review.threshold_step import candidate_scores, step_threshold
from mammoviewer.review.keys import image_key
from mammoviewer.review.session import FilmReview, ReviewSession
from mammoviewer.io.image import Image
from mammoviewer.review import Finding


class ReviewController(QObject):
    """See the module docstring. ``findingsShown(key)`` fires after the findings of the shown
    film were drawn (from the store or a finished detection)."""

    findingsShown = Signal(str)

    def __init__(self, window: Any, session: ReviewSession,
                 detector_factory: Callable[[], Any] | None = None, model_path: str | None = None,
                 classifier_factory: Callable[[], Any] | None = None) -> None:
        super().__init__(window)
        #: the model file in use (None: the bundled one), for the retrain dialog
        self.model_path = model_path
        self.window = window
        self.session = session
        self.film: FilmReview | None = None
        self.image: Image | None = None
        self._ready_key: str | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self.overlay = FindingOverlay(window.image_view, self)
        self.panel = FindingsPanel()
        self.dock = window.add_dock("Findings", self.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        window.tabifyDockWidget(window.metadata_dock, self.dock)
        self.dock.raise_()
        self.detection = DetectorService(window.jobs, detector_factory, self)
        self.detection.sink = self._store_detections
        #: the case classifier's score of the shown film (off when ``classifier_factory`` is None)
        self.case_score = CaseScoreService(window.jobs, self.panel.case_score, classifier_factory, self)
        self.density = DensityService(window.jobs, self.panel.density, self)  # percent density, tissue class
        self.worklist_states = WorklistStates(self)  # the worklist's review-state badges
        self.editing = ReviewEditing(self)
        self.background = BackgroundDetection(self)
        self.retarget = ReviewRetarget(self)
        self.status = ModeStatus(window)  # busy bar, "Saved", the mouse mode
        self.progress = self.status.progress
        self.actions = build_review_actions(window, self._slots(), window.menus)
        window.help_lines.append(REVIEW_HELP)
        self.locate_tool = LocateTool(self)  # L: click on a lesion, the model proposes its box
        self.locate_tool.modeChanged.connect(self.show_mode)
        self._connect()
        self._show_store()
        self.panel.set_model_text("Detection off" if not self.detection.enabled else "Model: not loaded yet")
        if self.detection.enabled:
            QTimer.singleShot(0, self.detection.load)  # in the background, from start-up
        QTimer.singleShot(0, self.case_score.load)

    # -- construction ------------------------------------------------------------------
    def _slots(self) -> dict[str, Callable[[], object]]:
        e = self.editing
        return {
            "next_finding": lambda: self.step_finding(+1), "previous_finding": lambda: self.step_finding(-1),
            "accept": lambda: e.toggle_status("accepted"), "reject": lambda: e.toggle_status("rejected"),
            "benign": lambda: e.set_label("benign"), "malignant": lambda: e.set_label("malignant"),
            "cycle_type": e.cycle_type, "edit_note": e.edit_note, "delete": e.delete_selected,
            "draw": lambda: e.set_draw_mode(not self.overlay.draw_mode),
            "cancel_draw": lambda: e.set_draw_mode(False), "undo": e.undo, "redo": e.redo,
            "toggle_overlays": lambda: self.overlay.set_visible(not self.overlay.visible),
            "threshold_down": lambda: self.step_threshold(-1), "threshold_up": lambda: self.step_threshold(+1),
            "mark_reviewed": e.toggle_reviewed, "detect_again": self.detect_again,
            "open_store": self.ask_store, "background_detection": self.set_background_detection,
        }  # fmt: skip

    def _connect(self) -> None:
        w, o, p, d, e = self.window, self.overlay, self.panel, self.detection, self.editing
        w.loadStarted.connect(self.background.load_started)
        w.imageLoaded.connect(self.show_image)
        w.loadFailed.connect(lambda path, message: self._set_film(None))
        w.worklist.pathsChanged.connect(self.worklist_states.read)
        self.retarget.connect(o)
        p.thresholdChanged.connect(self._on_threshold)
        p.findingSelected.connect(lambda fid: self.select(fid or None, zoom=bool(fid)))
        p.statusRequested.connect(e.set_status)
        p.labelRequested.connect(e.set_label)
        p.typeRequested.connect(lambda t: e.set_type(t or None))
        p.noteRequested.connect(lambda fid, text: e.set_note(text, fid))
        p.deleteRequested.connect(e.delete_selected)
        p.drawRequested.connect(lambda: e.set_draw_mode(not self.overlay.draw_mode))
        p.reviewStateRequested.connect(e.request_review_state)
        d.stateChanged.connect(self._on_detector_state)
        d.modelReady.connect(self._on_model_ready)
        d.modelFailed.connect(lambda m: self.window.show_error(f"The detection model could not be loaded: {m}"))
        d.busyChanged.connect(self.progress.setVisible)
        d.detected.connect(self._on_detected)
        d.detectionFailed.connect(self._on_detection_failed)
        d.prefetched.connect(self.background.prefetched)
        d.prefetchFailed.connect(self.background.prefetch_failed)

    # -- films -------------------------------------------------------------------------
    @property
    def key(self) -> str | None:
        return self.film.doc.key if self.film is not None else None

    def show_image(self, image: Image) -> None:
        """The window shows ``image``: show its review and detect if the store has no run yet."""
        self.detection.cancel()
        self.image = image
        self._ready_key = None
        try:
            film = self.session.open_film(image)
        except StoreError as exc:
            self.window.show_error(f"Findings cannot be kept: {exc}")
            film = None
        self.overlay.clear()
        self.overlay.set_image_size(image.columns, image.rows)
        self.case_score.show_film(film.doc.key if film is not None else image_key(image.path), image)
        self.density.show_film(film.doc.key if film is not None else image_key(image.path), image)
        self._set_film(film)
        self._maybe_detect()

    def _set_film(self, film: FilmReview | None) -> None:
        for undo in self._unsubscribe:
            undo()
        self._unsubscribe = []
        self.film = film
        if film is None:
            self.overlay.clear()
            self.detection.cancel()
            self.case_score.show_film(None, None)
        else:
            self._unsubscribe = [film.doc.subscribe(self._on_doc_changed),
                                 film.stack.subscribe(lambda stack: self._update_undo_actions())]
        self.redraw()

    def _maybe_detect(self, again: bool = False) -> None:
        film, det = self.film, self.detection
        if film is None or self.image is None or not det.enabled or det.error:
            return
        if det.detector is None:
            det.load()  # _on_model_ready comes back here
            return
        d = det.detector
        if not again and det.prefetching == film.doc.key:
            self.progress.show()  # the background run of this film comes back in _on_prefetched
            return
        refused = not_a_mammogram(self.image)
        if refused:  # a CT, an ultrasound, a leg film: said once, never detected nor called normal
            self.window.banner.show_message(f"{Path(self.image.path).name}: {refused}. No detection and no "
                                            "case decision: the models are for mammograms only.", "warning")
            self.findings_arrived(film.doc.key)
            return
        if not again and self.session.has_model_run(film.doc.key, str(d.name), str(d.version)):
            self.window.statusBar().showMessage(f"Findings of {d.name} {d.version} from the review store", 4000)
            self.findings_arrived(film.doc.key)
            return
        det.detect(film.doc.key, self.image)

    def use_model(self, path: str) -> None:
        """Switch to the model at ``path`` (loaded in the background; the shown film is detected
        with it, reader edits kept)."""
        from mammoviewer.gui.review.detection import detector_factory

        self.model_path = str(path)
        self.background.forget()
        self.detection.set_factory(detector_factory(self.model_path))

    def refresh(self) -> None:
        """Re-read the shown film and the worklist states from the store (after an import)."""
        if self.film is not None:
            try:
                self.film.doc.reload()
            except StoreError as exc:
                self.window.show_error(str(exc))
        self.worklist_states.read()

    def detect_again(self) -> None:
        """Run the model again on the shown film (reader-touched findings are kept)."""
        self._maybe_detect(again=True)

    def _on_model_ready(self, detector: Any) -> None:
        self.background.forget()
        self.panel.set_model_text(f"Model: {describe_model(detector)}")
        self.window.set_device_status(str(detector.device))
        self.panel.set_threshold(float(detector.default_threshold))
        self._maybe_detect()

    def _on_detector_state(self, text: str) -> None:
        self.window.set_model_status(text)
        if self.detection.detector is None:
            self.panel.set_model_text(text)

    def _store_detections(self, key: str, detector: Any, found: list, image: Image) -> None:
        """Worker thread: keep the run in the store (a StoreError fails the job with its message)."""
        self.session.store_detections(key, detector, found, self.detection.floor, image)

    def _on_detected(self, key: str, found: list) -> None:
        try:
            self.session.reload(key)  # -> _on_doc_changed -> redraw
        except StoreError as exc:
            self.window.show_error(str(exc))
        self._mark_saved()
        if key == self.key:
            self.findings_arrived(key)

    def findings_arrived(self, key: str) -> None:
        """The findings of ``key`` (the shown film) are drawn: say so and work ahead."""
        self._ready_key = key
        self._update_case_score()
        self.findingsShown.emit(key)
        QTimer.singleShot(0, self.background.next)

    def findings_ready(self) -> bool:
        """True once the shown film's model findings are drawn (stored or just detected)."""
        return self._ready_key is not None and self._ready_key == self.key

    def _on_detection_failed(self, key: str, message: str) -> None:
        if key == self.key:
            self.window.show_error(f"Detection failed on {Path(key).name}: {message}")
            self.findings_arrived(key)  # what the store holds is all there is

    # -- drawing the state -------------------------------------------------------------
    def findings(self) -> list[Finding]:
        return self.film.doc.findings if self.film is not None else []

    def redraw(self) -> None:
        """Draw the shown film's findings, state and case score from its document."""
        findings = self.findings()
        self.overlay.set_findings(findings)
        self.panel.set_findings(findings)
        if self.overlay.selected_id is None:
            self.panel.select(None)
        self._show_review_state()
        self.show_mode()  # a kept or dropped proposal ends the locate mode
        self._update_undo_actions()
        self.worklist_states.note(self.film)
        self._update_case_score()

    def _update_case_score(self) -> None:
        det = self.detection
        ready = self.findings_ready() or not det.enabled or bool(det.error)
        name = f"{det.detector.name} {det.detector.version}" if det.detector is not None else ""
        self.case_score.set_findings(self.findings(), self.panel.threshold, ready=ready, detector_name=name,
                                     detector=det.detector)

    def _on_doc_changed(self, doc, change) -> None:
        if change is not None and doc.image.review_state == "unreviewed":
            doc.set_review_state("in progress")  # notifies again (change None)
            return
        self._mark_saved()
        self.redraw()

    def _mark_saved(self) -> None:
        self.status.saved(self.session.path)

    def _show_store(self) -> None:
        self.panel.set_store_text(f"Review store: {self.session.path}")
        self.status.store(self.session.path)

    def _update_undo_actions(self) -> None:
        stack = self.film.stack if self.film is not None else None
        for name, can, text in (("undo", stack is not None and stack.can_undo, stack.undo_text if stack else ""),
                                ("redo", stack is not None and stack.can_redo, stack.redo_text if stack else "")):
            self.actions[name].setEnabled(can)
            self.actions[name].setText(f"{name.capitalize()} {text}".strip())

    def step_threshold(self, direction: int) -> None:
        """`[` / `]`: show one more pending candidate, or one fewer (see ``threshold_step``)."""
        self.panel.set_threshold(step_threshold(candidate_scores(self.findings()), self.panel.threshold, direction))

    def _on_threshold(self, value: float) -> None:
        self.overlay.set_threshold(value)
        if self.overlay.selected_id not in self.panel.visible_ids():
            self.select(None)
        self._show_review_state()
        self._update_case_score()

    # -- selection ---------------------------------------------------------------------
    @property
    def selected_id(self) -> str | None:
        return self.overlay.selected_id

    def select(self, finding_id: str | None, zoom: bool = False) -> None:
        """Highlight a finding in the overlay and the list; ``zoom`` brings it into view."""
        self.overlay.select(finding_id)
        self.panel.select(finding_id)
        if zoom and finding_id is not None:
            self.zoom_to(finding_id)

    def step_finding(self, step: int) -> None:
        """Select the next (+1) or previous (-1) finding of the list and zoom to it."""
        ids = self.panel.visible_ids()
        if not ids:
            return
        current = self.selected_id
        i = ids.index(current) + step if current in ids else (0 if step > 0 else len(ids) - 1)
        self.select(ids[i % len(ids)], zoom=True)

    def zoom_to(self, finding_id: str) -> None:
        if self.film is not None and finding_id in {f.id for f in self.findings()}:
            self.overlay.zoom_to(self.film.doc.finding(finding_id).box)

    # -- the store ---------------------------------------------------------------------
    def ask_store(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Open or create a review store",
                                              str(self.session.path.parent), "Review stores (*.sqlite);;All files (*)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.switch_store(path)

    def switch_store(self, path: str | Path) -> bool:
        """Use the store at ``path`` (created if new); the shown film is reopened from it."""
        try:
            store = open_store(path)
        except StoreError as exc:
            self.window.show_error(str(exc))
            return False
        self._set_film(None)
        self.session.close()
        self.session = ReviewSession(store)
        self.background.forget()
        self._show_store()
        self.worklist_states.read()
        if self.image is not None:
            self.show_image(self.image)
        return True

    # -- the parts' entry points, kept for the controller's callers ---------------------
    def push(self, command: Any) -> bool:
        return self.editing.push(command)

    def undo(self) -> None:
        self.editing.undo()

    def redo(self) -> None:
        self.editing.redo()

    def set_view(self, view: Any) -> None:
        self.retarget.set_view(view)

    def set_background_detection(self, on: bool) -> None:
        self.background.set_enabled(on)

    def show_mode(self) -> None:
        """The status bar says which mode the mouse is in and its keys (draw, locate, a proposal)."""
        tool = getattr(self, "locate_tool", None)
        self.status.show(self.overlay.draw_mode, tool.mode_state() if tool is not None else None)

    def _show_review_state(self) -> None:
        if self.film is not None:
            state = self.film.doc.image.review_state
            self.panel.set_review_state(state, film_status(state, self.findings(), self.panel.threshold))

    def close(self) -> None:
        self.locate_tool.reset()
        self.case_score.cancel()
        self.detection.cancel()
        self.detection.cancel_prefetch()
        self._set_film(None)
        self.session.close()

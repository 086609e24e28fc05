"""Reading studies in the window: the studies worklist, the hanging view and its keys.

:class:`StudyReader` puts a :class:`HangingView` in place of the single-film canvas and a Studies
panel beside the worklist. Films are decoded on a worker (job channel ``"study"``) and kept in a
small cache, so switching layouts or going back to a study does not decode again.

Review works per pane through the window's one :class:`ReviewController`: the active pane (click
it, or Tab / Shift+Tab) is the film under review, with the editable findings, the Findings panel,
detection, undo and the store exactly as for a single film; the other panes show their films' stored
findings, read-only. The detector runs on the active pane's film at once and on the study's other
films in the background (the review's background detection, with the study's films listed first);
each pane redraws when its film's findings are stored.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, Sequence

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction

from mammoviewer.errors import ImageReadError, StoreError
from mammoviewer.gui.review.pane_findings import PaneFindings
from mammoviewer.gui.viewer.hanging_view import HangingView
from mammoviewer.gui.viewer.image_view import default_display_window
from mammoviewer.gui.viewer.measure_tools import Magnifier, Measurements
from mammoviewer.gui.viewer.study_list import StudyList
from mammoviewer.gui.viewer.study_loading import load_films
from mammoviewer.io.image import Image, Window
from mammoviewer.studies import Hanging, Layout, Study, find_studies, hang, prior_of

#: films kept decoded (two four-view studies and their priors)
CACHED_FILMS = 12


class StudyReader(QObject):
    """See the module docstring. ``studyShown(int)`` once a study's films are hung."""

    studyShown = Signal(int)

    def __init__(self, window: Any, review: Any = None) -> None:
        super().__init__(window)
        self.window, self.review = window, review
        self.view = HangingView()
        self.view.hide()
        window.centralWidget().layout().addWidget(self.view, 1)
        self.list = StudyList()
        self.dock = window.add_dock("Studies", self.list, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.tabifyDockWidget(window.worklist_dock, self.dock)
        self.dock.hide()
        self.studies: list[Study] = []
        self.index = -1
        self.layout: Layout | None = None  # None: chosen from the study
        self.pair_view: str | None = None
        self.show_prior = False
        self.errors: list[str] = []
        self.opened: list[str] = []
        self._cache: OrderedDict[str, tuple[Image, Window | None, str | None]] = OrderedDict()
        self._failed: dict[str, str] = {}
        #: why the last load of films failed as a whole (None: it did not)
        self.load_error: str | None = None
        self._readonly: dict[int, PaneFindings] = {}
        self._unsubscribe: list[Any] = []
        self._measurements: dict[int, Measurements] = {}
        self._magnifiers: list[Magnifier] = []
        self.active_mode = False
        self._build_actions()
        self.list.studyChosen.connect(self.show_study)
        self.view.activePaneChanged.connect(self._on_active_pane)
        for pane in self.view.panes:
            pane.cursorMoved.connect(window._show_cursor)
        window.loadStarted.connect(lambda path: self.leave())
        if review is not None:
            review.detection.prefetched.connect(lambda key: self._refresh_readonly())
            review.findingsShown.connect(lambda key: self._refresh_readonly())
            review.panel.thresholdChanged.connect(lambda value: self._refresh_readonly())
            review.actions["cancel_draw"].triggered.connect(self.cancel_measure)  # Esc

    # -- actions -----------------------------------------------------------------------
    def _build_actions(self) -> None:
        from mammoviewer.gui.viewer.study_actions import build_study_actions

        self.actions: dict[str, QAction] = build_study_actions(self, self.window)
        self._set_study_keys(False)

    def _set_study_keys(self, on: bool) -> None:
        """N/P and PgDn/PgUp go from study to study while studies are read, from film to film otherwise."""
        for name in ("next_study", "previous_study"):
            self.actions[name].setEnabled(on)
        self.window.navigator = self.step_study if on else None  # N/P and the Prev/Next buttons stay enabled
        for name, what in (("next", "Next"), ("previous", "Previous")):
            action = self.window.actions_by_name[name]
            action.setText(f"&{what} {'study' if on else 'image'}")
            action.setToolTip(f"{what} {'study' if on else 'image'} ({', '.join(k.toString() for k in action.shortcuts())})")

    def _window_on_active(self, window_of) -> None:
        pane = self.view.active_pane
        if pane is not None and pane.image is not None:
            pane.set_window(window_of(pane.image))  # linked: the other panes follow

    def measurements(self, view: Any = None) -> Measurements:
        """The measurements of ``view`` (default: the active pane, or the single-film view)."""
        if view is None:
            view = self.view.active_pane if self.active_mode and self.view.active_pane else self.window.image_view
        found = self._measurements.get(id(view))
        if found is None:
            found = self._measurements[id(view)] = Measurements(view, self.review)
            found.layer.armedChanged.connect(self._show_measure_mode)
        return found

    def _show_measure_mode(self, kind: str) -> None:
        from mammoviewer.gui.viewer.measure_tools import ARMED_TEXT

        bar = self.window.statusBar()
        bar.showMessage(ARMED_TEXT[kind]) if kind else bar.clearMessage()

    def cancel_measure(self) -> bool:
        """Esc: disarm an armed ruler or ellipse tool."""
        return any([m.cancel() for m in self._measurements.values()])

    def set_magnifier(self, on: bool) -> None:
        """A magnifying glass under the cursor on every pane and the single-film view."""
        if not self._magnifiers:
            self._magnifiers = [Magnifier(v) for v in (*self.view.panes, self.window.image_view)]
        for glass in self._magnifiers:
            glass.set_enabled(on)

    def _measure(self, method: str) -> None:
        getattr(self.measurements(), method)()

    def _on_active_view(self, method: str, *args: Any) -> None:
        pane = self.view.active_pane
        if pane is not None and pane.image is not None:
            getattr(pane, method)(*args)

    def _ask_open(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        folder = QFileDialog.getExistingDirectory(self.window, "Open a folder of studies")
        if folder:
            self.open([folder])

    # -- studies -----------------------------------------------------------------------
    def open(self, paths: Sequence[str | Path], layout: Layout | str | None = None) -> int:
        """Read the studies of ``paths`` (headers only) and show the first; returns how many."""
        self.errors = []
        self.opened = [str(p) for p in paths]
        self.layout = Layout(layout) if layout not in (None, "auto") else None
        self.studies = find_studies(paths, on_error=lambda exc: self.errors.append(str(exc)))
        priors = {i: self.studies.index(p) for i, s in enumerate(self.studies)
                  if (p := prior_of(s, self.studies)) is not None}
        self.list.set_studies(self.studies, priors)
        if self.errors:
            more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            self.window.show_error(f"Not read: {self.errors[0]}{more}")
        if not self.studies:
            if not self.errors:
                self.window.show_error(f"No images in {', '.join(map(str, paths))}")
            return 0
        self.enter()
        self.show_study(0)
        return len(self.studies)

    def enter(self) -> None:
        """Show the hanging view and the Studies panel instead of the single film."""
        self.active_mode = True
        self.window.image_view.hide()
        self.view.show()
        self.dock.show()
        self.dock.raise_()
        # the flat list of films stays out of reach (a list given focus selects its first row,
        # which would open that film alone); View › Worklist brings it back
        self.window.worklist_dock.hide()
        self.view.setFocus()
        self._set_study_keys(True)

    def leave(self) -> None:
        """Back to the single-film view (a film was opened from the worklist or File menu)."""
        if not self.active_mode:
            return
        self.active_mode = False
        self._clear_readonly()
        self.view.hide()
        self.window.image_view.show()
        self.window.presets.set_view(self.window.image_view)
        self.window.worklist_dock.show()
        self._set_study_keys(False)
        if self.review is not None:
            self.review.set_view(self.window.image_view)

    @property
    def study(self) -> Study | None:
        return self.studies[self.index] if 0 <= self.index < len(self.studies) else None

    @property
    def prior(self) -> Study | None:
        study = self.study
        return prior_of(study, self.studies) if study is not None else None

    def step_study(self, step: int) -> bool:
        """Go to the next (+1) or previous (-1) study; False at either end."""
        target = self.index + step
        if not self.active_mode or not 0 <= target < len(self.studies):
            return False
        self.show_study(target)
        return True

    def show_study(self, index: int) -> None:
        """Hang study ``index`` (its films decoded in the background if not cached)."""
        if not 0 <= index < len(self.studies):
            return
        if not self.active_mode:
            self.enter()
        self.index = index
        self.pair_view = None
        self.list.set_current(index)
        self._list_films_for_detection()
        self._hang()

    def set_layout(self, layout: Layout) -> None:
        """Switch layout; 2-up again shows the other view."""
        if not self.active_mode or self.study is None:
            return
        hanging = self.view.hanging
        if layout is Layout.TWO and hanging is not None and hanging.layout is Layout.TWO:
            views = list(self.study.views)
            now = hanging.panes[0].label.removeprefix("prior ")[1:]
            self.pair_view = views[(views.index(now) + 1) % len(views)] if now in views else None
        self.layout = layout
        self._hang()

    def set_show_prior(self, on: bool) -> None:
        self.show_prior = bool(on)
        if self.active_mode:
            self._hang()

    def reset_windows(self) -> None:
        """Every pane back to its film's own default window."""
        for pane in self.view.shown_panes():
            if pane.image is not None:
                cached = self._cache.get(pane.image.path)
                pane.set_window(cached[1] if cached else default_display_window(pane.image))

    def is_loading(self) -> bool:
        return self.window.jobs.current("study") is not None

    # -- hanging -----------------------------------------------------------------------
    def _hanging(self) -> Hanging:
        study = self.study
        active = self.view.active_pane
        focus = active.image.path if active is not None and active.image is not None else None
        sides = {p: c[2] for p, c in self._cache.items()}
        return hang(study, self.layout, view=self.pair_view, focus=focus,
                    prior=self.prior if self.show_prior else None, pixel_sides=sides)

    def _hang(self) -> None:
        hanging = self._hanging()
        missing = [f.path for f in hanging.films if f.path not in self._cache and f.path not in self._failed]
        if missing:
            self.window.statusBar().showMessage(f"Loading {len(missing)} film(s) of {self.study.study}\u2026")
            self.load_error = None
            job = self.window.jobs.submit(load_films, self.window.loader, missing, channel="study",
                                          with_control=True)
            job.finished.connect(self._on_films_loaded)
            job.failed.connect(lambda message, paths=tuple(missing): self._on_films_failed(paths, message))
            return
        self._show(hanging)

    def _on_films_failed(self, paths: Sequence[str], message: str) -> None:
        """The worker failed: its films count as failed and the study is hung without them (never waits)."""
        self.window.statusBar().clearMessage()
        self.load_error = f"Could not open the study: {message}"
        self.window.show_error(self.load_error)
        for path in paths:
            self._failed.setdefault(path, message)
        self._show(self._hanging())

    def _on_films_loaded(self, loaded: dict[str, Any]) -> None:
        self.window.statusBar().clearMessage()
        for path, value in loaded.items():
            if isinstance(value, ImageReadError):
                self._failed[path] = str(value)
                self.window.show_error(f"Could not open {value}")
                continue
            self._cache[path] = value
            self._cache.move_to_end(path)
        while len(self._cache) > CACHED_FILMS:
            self._cache.popitem(last=False)
        self._show(self._hanging())

    def _show(self, hanging: Hanging) -> None:
        self._clear_readonly()
        images = {p: c[0] for p, c in self._cache.items()}
        windows = {p: c[1] for p, c in self._cache.items()}
        previous = self.view.active_pane.image.path if self.view.active_pane and self.view.active_pane.image else None
        paths = [p.film.path if p.film else None for p in hanging.panes]
        active = paths.index(previous) if previous is not None and previous in paths else next(
            (i for i, p in enumerate(paths) if p in images), 0)
        self.view.set_hanging(hanging, images, windows, active=active)
        study = self.study
        n = len(self.studies)
        self.window.setWindowTitle(f"MammoViewer \u2014 {study.patient} \u00b7 {study.date or 'no date'} "
                                   f"\u00b7 {hanging.layout.value} (study {self.index + 1} of {n})")
        self._refresh_readonly()
        self._paint_states()
        self.studyShown.emit(self.index)

    # -- review per pane -------------------------------------------------------------
    def _on_active_pane(self, index: int) -> None:
        pane = self.view.active_pane
        if pane is None or pane.image is None:
            return
        self.window.metadata_panel.show_image(pane.image)
        self.window.presets.set_view(pane)  # the Window box lists the active pane's presets
        if self.review is not None:
            self._clear_readonly(index)
            self.review.set_view(pane)
            self.review.show_image(pane.image)
            for undo in self._unsubscribe:
                undo()
            film = self.review.film
            self._unsubscribe = [film.doc.subscribe(lambda doc, change: self._paint_states())] if film else []
            for view in self.view.panes:
                if id(view) in self._measurements or view is pane:
                    self.measurements(view).sync()  # the film under review shows its stored measurements
        self._refresh_readonly()

    def _clear_readonly(self, index: int | None = None) -> None:
        for i in [index] if index is not None else list(self._readonly):
            overlay = self._readonly.pop(i, None)
            if overlay is not None:
                overlay.clear()

    def _refresh_readonly(self) -> None:
        """Redraw the stored findings of every pane but the active one."""
        if not self.active_mode or self.review is None:
            return
        threshold, visible = self.review.panel.threshold, self.review.overlay.visible
        for i, pane in enumerate(self.view.shown_panes()):
            if i == self.view.active or pane.image is None:
                self._clear_readonly(i)
                continue
            overlay = self._readonly.setdefault(i, PaneFindings(pane))
            try:
                findings = self.review.session.open_film(pane.image).doc.findings
            except StoreError as exc:
                self.window.show_error(f"Findings of {Path(pane.image.path).name} cannot be read: {exc}")
                findings = []
            overlay.set_findings(findings, threshold, visible)

    def pane_findings(self, index: int) -> list:
        """The findings drawn in pane ``index`` (the review's for the active pane)."""
        if index == self.view.active and self.review is not None:
            return [f for f in self.review.findings() if f.id in self.review.overlay.shown_ids()]
        overlay = self._readonly.get(index)
        return list(overlay.shown) if overlay is not None else []

    def _list_films_for_detection(self) -> None:
        """The flat worklist lists every film, this study's (and its prior's) first: the review's
        background detection goes through them in that order."""
        order = self.studies[self.index:] + self.studies[: self.index]
        prior = self.prior
        if prior is not None:
            order.insert(1, prior)
        paths = list(dict.fromkeys(f.path for s in order for f in s.films))
        self.window.worklist.set_paths(paths, title="Films of the studies")

    def _paint_states(self) -> None:
        if self.review is None:
            return
        try:
            states = self.review.session.review_states()
        except StoreError:
            states = {}
        self.list.set_states(states)

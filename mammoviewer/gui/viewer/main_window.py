"""The main window: wires the image canvas, worklist, metadata panel, menus and status bar.

Extension points for other features (review, detection):

* ``image_view`` (:class:`ImageView`): ``add_overlay(item)``, signals ``imageShown``,
  ``windowChanged``, ``cursorMoved``.
* ``jobs`` (:class:`JobRunner`): run any slow callable off the UI thread.
* ``add_dock(title, widget, area)`` for more panels; ``menus[name]`` ("file", "view",
  "image", "navigate", "help") and ``toolbar`` for more actions.
* ``set_model_status(text)`` / ``set_device_status(text)``: the status-bar labels.
* signals ``imageLoaded(Image)``, ``loadFailed(path, message)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu,
                               QToolBar, QVBoxLayout, QWidget)

from mammoviewer.gui.viewer.banner import MessageBanner
from mammoviewer.gui.viewer.image_view import CursorInfo, ImageView, window_presets
from mammoviewer.gui.jobs import JobRunner
from mammoviewer.gui.viewer.loading import ImageLoader
from mammoviewer.gui.viewer.metadata_panel import MetadataPanel
from mammoviewer.gui.viewer.window_presets import WindowPresets
from mammoviewer.gui.settings import RecentFiles
from mammoviewer.gui.viewer.worklist import IMAGE_SUFFIXES, Worklist, listed_paths
from mammoviewer.io.image import Image, Window

FILE_FILTER = "Images (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ");;All files (*)"


def _load_for_display(loader: Callable[..., Image], path: str, cancel=None, progress=None):
    """Worker side of a load: the image and its window presets (the percentiles of the Auto
    window take tens of milliseconds on a full film: not on the UI thread)."""
    image = loader(path, cancel=cancel, progress=progress)
    return image, window_presets(image)


class MainWindow(QMainWindow):
    """The viewer window. It only wires widgets; behaviour lives in the widgets."""

    imageLoaded = Signal(object)  # Image
    loadFailed = Signal(str, str)  # path, message
    loadStarted = Signal(str)  # path

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("MammoViewer")
        self.setAcceptDrops(True)
        self.resize(1400, 900)
        self.jobs = JobRunner(self)
        self.recent = RecentFiles(settings)
        loader = ImageLoader()
        #: ``loader(path, cancel=, progress=) -> Image``, run on the "image" job channel
        self.loader: Callable[..., Image] = loader
        self.jobs.submit(loader.decoder.start, channel="decoder-warm-up")  # import codecs while idle
        self.loading_path: str | None = None
        #: what could not be opened of several paths, said when the first of the others has loaded
        self._opening_problems = ""

        self.image_view = ImageView()
        self.banner = MessageBanner()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.image_view, 1)
        self.setCentralWidget(central)

        self.worklist = Worklist(jobs=self.jobs)
        self.metadata_panel = MetadataPanel()
        self.worklist_dock = self.add_dock("Worklist", self.worklist, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.metadata_dock = self.add_dock("Image information", self.metadata_panel,
                                           Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.worklist_dock, self.metadata_dock], [200, 280], Qt.Orientation.Horizontal)

        self._build_status_bar()
        self.actions_by_name: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}
        self.help_lines: list[str] = []
        self._build_actions()

        self.worklist.currentPathChanged.connect(self.load)
        self.image_view.cursorMoved.connect(self._show_cursor)
        self.image_view.viewChanged.connect(self._show_zoom)
        self.image_view.imageShown.connect(self._on_image_shown)

    # -- construction ------------------------------------------------------------------
    def add_dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """Add ``widget`` as a dock panel (listed in View menu once built)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(title.replace(" ", "_").lower())
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if "view" in getattr(self, "menus", {}):
            self.menus["view"].addAction(dock.toggleViewAction())
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.cursor_label = QLabel("")
        self.window_label = QLabel("")
        self.zoom_label = QLabel("")
        self.model_label = QLabel("")
        self.device_label = QLabel("")
        self.cursor_label.setMinimumWidth(360)
        for label in (self.cursor_label, self.window_label, self.zoom_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.model_label)
        bar.addPermanentWidget(self.device_label)
        from mammoviewer.gui.about import NOTICE

        self.notice_label = QLabel(NOTICE)  # always in sight; Help › About says more
        self.notice_label.setObjectName("researchNotice")
        self.notice_label.setStyleSheet("QLabel { color: #ff9070; }")
        bar.addPermanentWidget(self.notice_label)
        self.set_device_status("CPU")

    def _action(self, name: str, text: str, slot: Callable[[], object], *keys: str | QKeySequence,
                checkable: bool = False) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda *_: slot())
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        v = self.image_view
        a = self._action
        file_menu = self.menus["file"] = self.menuBar().addMenu("&File")
        file_menu.addAction(a("open", "&Open\u2026", self._ask_open, QKeySequence.StandardKey.Open))
        file_menu.addAction(a("open_folder", "Open &Folder\u2026", self._ask_open_folder, "Ctrl+Shift+O"))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(a("quit", "&Quit", self.close, QKeySequence.StandardKey.Quit))

        nav = self.menus["navigate"] = self.menuBar().addMenu("&Navigate")
        nav.addAction(a("next", "&Next image", lambda: self.step(+1), "PgDown", "N"))
        nav.addAction(a("previous", "&Previous image", lambda: self.step(-1), "PgUp", "P"))

        view = self.menus["view"] = self.menuBar().addMenu("&View")
        view.addAction(a("fit", "&Fit to window", v.fit, "F"))
        view.addAction(a("zoom_1to1", "Actual &pixels (1:1)", v.zoom_1to1, "1"))
        view.addAction(a("zoom_in", "Zoom &in", lambda: v.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn, "+"))
        view.addAction(a("zoom_out", "Zoom &out", lambda: v.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut, "-"))
        view.addSeparator()
        view.addAction(a("rotate_cw", "Rotate 90\u00b0 clock&wise", lambda: v.rotate(1), "Ctrl+R"))
        view.addAction(a("rotate_ccw", "Rotate 90\u00b0 &counter-clockwise", lambda: v.rotate(-1), "Ctrl+Shift+R"))
        view.addAction(a("flip_h", "Flip &horizontal", v.flip_horizontal, "Shift+H"))
        view.addAction(a("flip_v", "Flip &vertical", v.flip_vertical, "Shift+V"))
        view.addAction(a("reset_orientation", "&Reset orientation", v.reset_orientation, "0"))
        view.addSeparator()
        view.addAction(self.worklist_dock.toggleViewAction())
        view.addAction(self.metadata_dock.toggleViewAction())

        image = self.menus["image"] = self.menuBar().addMenu("&Image")
        image.addAction(a("invert", "&Invert", v.set_invert, "I", checkable=True))
        image.addAction(a("wl_mode", "&Window/level with left button", v.set_wl_mode, "W", checkable=True))
        self.window_menu = image.addMenu("Window &presets")
        image.addAction(a("default_window", "&Default window", lambda: self.apply_preset("Default"), "D"))
        image.addAction(a("auto_window", "&Auto window", lambda: self.apply_preset("Auto"), "Shift+A"))
        image.addAction(a("full_window", "F&ull range", lambda: self.apply_preset("Full range"), "U"))

        help_menu = self.menus["help"] = self.menuBar().addMenu("&Help")
        help_menu.addAction(a("mouse_help", "&Mouse and keys", self._show_help))
        help_menu.addAction(a("about", "&About MammoViewer and its models\u2026", self.show_about))

        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        short = {"open": "Open", "open_folder": "Folder", "previous": "◀ Prev", "next": "Next ▶",
                 "fit": "Fit", "zoom_1to1": "1:1", "invert": "Invert", "wl_mode": "W/L drag",
                 "rotate_cw": "Rotate", "flip_h": "Flip H", "flip_v": "Flip V"}
        for name in ("open", "open_folder", None, "previous", "next", None, "fit", "zoom_1to1", None,
                     "invert", "wl_mode", "rotate_cw", "flip_h", "flip_v"):
            if name is None:
                self.toolbar.addSeparator()
                continue
            action = self.actions_by_name[name]
            action.setIconText(short[name])
            tip = action.text().replace("&", "").replace("…", "")
            keys = ", ".join(k.toString() for k in action.shortcuts())
            action.setToolTip(f"{tip} ({keys})" if keys else tip)
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(QLabel(" Window "))
        self.presets = WindowPresets(self.image_view, self.window_menu, self.window_label)
        self.preset_combo = self.presets.combo
        self.toolbar.addWidget(self.preset_combo)

    #: ``navigator(step) -> bool`` replaces film-by-film stepping of N/P and the Prev/Next buttons
    #: (e.g. study by study while studies are read); None: the worklist's films
    navigator: Callable[[int], bool] | None = None

    def step(self, delta: int) -> bool:
        """Next (+1) or previous (-1) film, or what the ``navigator`` steps through."""
        if self.navigator is not None:
            return bool(self.navigator(delta))
        return self.worklist.next() if delta > 0 else self.worklist.previous()

    # -- opening -----------------------------------------------------------------------
    def open_path(self, path: str | Path) -> None:
        """Open a file (its folder becomes the worklist) or a folder."""
        path = Path(path)
        if path.is_dir():
            self.open_folder(path)
        else:
            self.open_file(path)

    def open_paths(self, paths: list[str | Path]) -> None:
        """Open one path as :meth:`open_path`; several become the worklist."""
        paths = [Path(p) for p in paths]
        if len(paths) == 1:
            self.open_path(paths[0])
        elif paths:
            files, problems = listed_paths(paths)
            self.worklist.set_paths(files, title="Opened files")
            if files:
                self._opening_problems = "; ".join(problems)  # said once the first film has loaded
                self.worklist.after_check(self.worklist.select_first)
            elif problems:
                self.show_error("; ".join(problems))

    def open_file(self, path: str | Path) -> None:
        """Load ``path``; its folder's images fill the worklist."""
        path = Path(path)
        if path.parent.is_dir():
            self.worklist.set_folder(path.parent, current=path)
            if self.worklist.current_path() is None:  # an unlisted suffix: show it alone
                self.worklist.set_paths([path], title="Opened file", current=path)
        self.recent.add(path)
        self.load(str(path))

    def open_folder(self, folder: str | Path) -> None:
        """List ``folder`` in the worklist and load its first image."""
        files = self.worklist.set_folder(folder)
        self.recent.add(folder)
        if files:
            self.worklist.after_check(self.worklist.select_first)  # currentPathChanged -> load
        else:
            self.show_error(f"{folder}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")

    def load(self, path: str) -> None:
        """Decode ``path`` on a worker thread and show it (a newer load supersedes it)."""
        self.loading_path = path
        self.statusBar().showMessage(f"Loading {Path(path).name}\u2026")
        self.loadStarted.emit(path)
        job = self.jobs.submit(_load_for_display, self.loader, path, channel="image", with_control=True)
        job.finished.connect(self._on_loaded)
        job.failed.connect(lambda message, p=path: self._on_load_failed(p, message))

    def is_loading(self) -> bool:
        return self.jobs.current("image") is not None

    def _on_loaded(self, loaded: tuple[Image, list[tuple[str, Window | None]]]) -> None:
        image, presets = loaded
        self.loading_path = None
        self.banner.hide()
        if self._opening_problems:
            self.show_error(self._opening_problems)
            self._opening_problems = ""
        self.statusBar().clearMessage()
        self.presets.remember(image, presets)
        self.image_view.set_image(image, presets[0][1])  # -> imageShown -> _on_image_shown

    def _on_load_failed(self, path: str, message: str) -> None:
        self.loading_path = None
        self.statusBar().clearMessage()
        self.image_view.clear(f"Could not open {Path(path).name}")
        self.metadata_panel.clear()
        self.presets.clear()
        for label in (self.zoom_label, self.cursor_label):
            label.clear()
        self.setWindowTitle(f"MammoViewer \u2014 {Path(path).name} (not opened)")
        self.show_error(f"Could not open {Path(path).name}. {message}")
        self.worklist.mark_broken(path, message)
        self.loadFailed.emit(path, message)

    def _on_image_shown(self, image: Image) -> None:
        self.metadata_panel.show_image(image)
        self.setWindowTitle(f"MammoViewer \u2014 {Path(image.path).name}")
        self.presets.fill(image)
        self._show_zoom()
        self.imageLoaded.emit(image)

    def show_error(self, message: str) -> None:
        """Show ``message`` in the banner above the image (non-blocking)."""
        self.banner.show_message(message, "error")

    # -- status hooks ------------------------------------------------------------------
    def set_model_status(self, text: str) -> None:
        """Show the detector model's name/state in the status bar (empty hides it)."""
        self.model_label.setText(text)
        self.model_label.setVisible(bool(text))

    def set_device_status(self, text: str) -> None:
        """Show the compute device (e.g. "CPU", "GPU 0") in the status bar."""
        self.device_label.setText(f"Device: {text}" if text else "")

    def _show_cursor(self, info: CursorInfo | None) -> None:
        self.cursor_label.setText(info.describe() if info is not None else "")

    def _show_zoom(self) -> None:
        if self.image_view.image is not None:
            self.zoom_label.setText(f"Zoom {self.image_view.zoom() * 100:.0f}%")

    # -- window presets ----------------------------------------------------------------
    def preset_names(self) -> list[str]:
        return self.presets.names()

    def apply_preset(self, name: str) -> bool:
        """Apply the window preset whose label starts with ``name``; True if found."""
        return self.presets.apply(name)

    # -- dialogs -----------------------------------------------------------------------
    def _ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", FILE_FILTER)
        if path:
            self.open_file(path)

    def _ask_open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open folder")
        if folder:
            self.open_folder(folder)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for p in paths:
            self.recent_menu.addAction(p).triggered.connect(lambda *_, p=p: self._open_recent(p))
        if paths:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list").triggered.connect(self.recent.clear)
        self.recent_menu.setEnabled(bool(paths))

    def _open_recent(self, path: str) -> None:
        if Path(path).exists():
            self.open_path(path)
        else:
            self.show_error(f"{path}: no longer exists")

    #: lines of the Help › Mouse and keys text; features append theirs (``help_lines.append``)
    VIEWER_HELP = ("Viewer: wheel zoom \u00b7 left-drag pan \u00b7 right-drag window (horizontal = width, "
                   "vertical = level) \u00b7 F fit \u00b7 1 actual pixels \u00b7 I invert \u00b7 Ctrl+R / "
                   "Ctrl+Shift+R rotate \u00b7 Shift+H / Shift+V flip \u00b7 0 upright \u00b7 N/P or PgDn/PgUp "
                   "next/previous film \u00b7 D / Shift+A / U default/auto/full window")

    def show_about(self) -> None:
        """Help › About: research use only, and the bundled models' cards and figures."""
        from mammoviewer.gui.about import AboutDialog

        self.about_dialog = AboutDialog(self)
        self.about_dialog.show()

    def _show_help(self) -> None:
        lines = [self.VIEWER_HELP, *getattr(self, "help_lines", [])]
        self.banner.show_message("\n".join(lines), "info")

    # -- drag and drop -----------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        event.acceptProposedAction() if event.mimeData().hasUrls() else event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_paths(paths)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.jobs.cancel_all()
        self.jobs.wait(5000)
        super().closeEvent(event)

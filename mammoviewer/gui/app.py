"""Application start-up: QApplication, dark reading-room theme, ``run_viewer``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

from mammoviewer.errors import MammoViewerError

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "mammoviewer.svg"
#: the bundled sample films (mini-MIAS), opened by ``view --layout`` when no path is given
SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
NO_PATH_TEXT = ("No films given: showing the bundled mini-MIAS sample films ({where}). Open your own with "
                "Studies \u203a Open folder as studies\u2026 (or `mammoviewer view FOLDER --layout 4up`).")
NOTHING_TO_OPEN = ("No films given and no bundled samples found: open a folder of mammograms with Studies \u203a "
                   "Open folder as studies\u2026, or run `mammoviewer view FOLDER --layout 4up`.")
OFFSCREEN_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")

STYLE_SHEET = """
QLabel#panelTitle { font-weight: bold; padding: 2px 0 4px 0; color: #c8c8c8; }
QLabel#placeholder { color: #8a8a8a; font-size: 15px; background: #000000; }
QFrame#banner { background: #5c1f1f; border-bottom: 1px solid #a33; }
QFrame#banner[level="warning"] { background: #5a4a12; border-bottom: 1px solid #a83; }
QFrame#banner[level="info"] { background: #1f3a5c; border-bottom: 1px solid #37a; }
QFrame#banner QLabel { color: #f0f0f0; }
QStatusBar QLabel { padding: 0 8px; }
"""


def display_available() -> bool:
    """True when Qt can open a window: a display server or an offscreen platform."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in OFFSCREEN_PLATFORMS:
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _dark_palette():
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    base, window, text = QColor(24, 24, 24), QColor(40, 40, 42), QColor(215, 215, 215)
    for role, color in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, QColor(33, 33, 35)),
        (QPalette.ColorRole.ToolTipBase, window), (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.BrightText, QColor(255, 80, 80)),
        (QPalette.ColorRole.Highlight, QColor(42, 98, 160)),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.PlaceholderText, QColor(128, 128, 128)),
    ):
        p.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(110, 110, 110))
    return p


#: Qt messages that carry no information for a user (the offscreen platform's notice)
_QUIET_MESSAGES = ("does not support propagateSizeHints",)
_previous_handler = None


def _message_handler(mode, context, message) -> None:
    if any(m in message for m in _QUIET_MESSAGES):
        return
    if _previous_handler is not None:
        _previous_handler(mode, context, message)
    else:
        sys.stderr.write(message + "\n")


def create_app(argv: Sequence[str] | None = None):
    """The QApplication (created once), styled dark, with pyqtgraph set to row-major."""
    from mammoviewer.gui import qt_fixes  # noqa: F401 (binding work-around, before Qt)

    import pyqtgraph as pg
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    global _previous_handler
    from PySide6.QtCore import qInstallMessageHandler

    app = QApplication.instance()
    if app is None:
        _previous_handler = qInstallMessageHandler(_message_handler)
        app = QApplication(list(argv) if argv is not None else ["mammoviewer"])
        app.setApplicationName("MammoViewer")
        app.setOrganizationName("MammoViewer")
        app.setStyle("Fusion")
        app.setPalette(_dark_palette())
        app.setStyleSheet(STYLE_SHEET)
        if ICON.is_file():
            app.setWindowIcon(QIcon(str(ICON)))
    return app


def _run_loop_for(msecs: int) -> None:
    """Run a real event loop for ``msecs`` (the worker threads keep the interpreter meanwhile)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(msecs, loop.quit)
    loop.exec()


def wait_for_load(window, timeout_s: float = 120.0) -> str | None:
    """Process events until ``window`` has finished loading; returns the error, if any."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop

    app = create_app()
    error: list[str] = []
    window.loadFailed.connect(lambda path, message: error.append(message))
    timer = QElapsedTimer()
    timer.start()
    while window.is_loading() and timer.elapsed() < timeout_s * 1000:
        _run_loop_for(50)
    app.processEvents()
    if window.is_loading():
        return f"loading did not finish within {timeout_s:g} s"
    return error[0] if error else None


def attach_review(window, store: str | Path | None = None, model: str | Path | None = None,
                  detect: bool = True, device: str = "auto", detector_factory=None, classify: bool = False,
                  classifier_factory=None):
    """Add findings review to ``window`` (store: ``store`` or the default one in the user's
    data folder). Returns the ReviewController, or None (with a banner) if no store opens.
    ``classify`` loads the bundled case classifier (or ``classifier_factory``'s) for the case score."""
    from mammoviewer.errors import StoreError
    from mammoviewer.gui.review.controller import ReviewController
    from mammoviewer.gui.review.detection import detector_factory as load_detector
    from mammoviewer.gui.review.store_location import open_store
    from mammoviewer.review.session import ReviewSession

    try:
        session = ReviewSession(open_store(store))
    except StoreError as exc:
        window.show_error(f"Review is off: {exc}")
        return None
    if detect and detector_factory is None:
        detector_factory = load_detector(str(model) if model is not None else None, device)
    if classify and classifier_factory is None:
        from mammoviewer.gui.review.case_score import classifier_factory as load_classifier

        classifier_factory = load_classifier()
    return ReviewController(window, session, detector_factory if detect else None,
                            model_path=str(model) if model is not None else None,
                            classifier_factory=classifier_factory if classify else None)


def start_models(model: str | Path | None = None, detect: bool = True) -> dict:
    """Start loading the detector and the case classifier now, off the UI thread, while the window is
    built: the factories for :func:`attach_review` (empty when ``detect`` is False)."""
    if not detect:
        return {}
    from mammoviewer.gui.jobs import start_early
    from mammoviewer.gui.review.case_score import classifier_factory
    from mammoviewer.gui.review.detection import detector_factory

    return {"detector_factory": start_early(detector_factory(str(model) if model is not None else None)),
            "classifier_factory": start_early(classifier_factory())}


def install_tools(window, review) -> None:
    """File › Import/Export Annotations, Open from/Send Results to PACS and Tools › Retrain, on the
    review's store and model."""
    from mammoviewer.gui.pacs.actions import install_pacs_actions
    from mammoviewer.gui.tools.retrain_dialog import install_retrain_action
    from mammoviewer.gui.viewer.file_actions import install_file_actions

    actions = install_file_actions(window, store_path=lambda: str(review.session.path))
    actions.storeChanged.connect(review.refresh)
    window.file_actions = actions
    window.pacs_actions = install_pacs_actions(window, store_path=lambda: str(review.session.path))
    install_retrain_action(window, store_path=lambda: str(review.session.path),
                           model_path=lambda: review.model_path, on_switch=review.use_model)


def wait_for_findings(controller, timeout_s: float = 180.0) -> str | None:
    """Process events until the shown film's findings are drawn (or detection failed)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop

    app = create_app()
    outcome: list[str | None] = []
    controller.findingsShown.connect(lambda key: outcome.append(None))
    controller.detection.detectionFailed.connect(lambda key, message: outcome.append(message))
    controller.detection.modelFailed.connect(lambda message: outcome.append(message))
    if controller.detection.error:
        return controller.detection.error
    timer = QElapsedTimer()
    timer.start()
    while not outcome and not controller.findings_ready() and timer.elapsed() < timeout_s * 1000:
        _run_loop_for(50)
    app.processEvents()
    if controller.findings_ready():
        return None
    if not outcome:
        return f"detection did not finish within {timeout_s:g} s"
    return outcome[0]


def wait_for_exam_scores(report, timeout_s: float = 30.0) -> bool:
    """Score the listed studies now and process events until the lists show the scores; True if they do."""
    from PySide6.QtCore import QElapsedTimer

    app = create_app()
    job = report.refresh_exam_scores()
    if job is None:
        return False
    done: list[bool] = []
    job.finished.connect(lambda _scores: done.append(True))
    job.failed.connect(lambda _message: done.append(False))
    timer = QElapsedTimer()
    timer.start()
    while not done and timer.elapsed() < timeout_s * 1000:
        _run_loop_for(50)
    app.processEvents()
    return bool(done and done[0])


def wait_for_case_score(controller, timeout_s: float = 60.0) -> bool:
    """Process events until the case score of the shown film is drawn (or cannot be); True if it is."""
    from PySide6.QtCore import QElapsedTimer

    app = create_app()
    timer = QElapsedTimer()
    timer.start()
    while not controller.case_score.settled() and timer.elapsed() < timeout_s * 1000:
        _run_loop_for(50)
    app.processEvents()
    return controller.case_score.settled()


def run_viewer(paths: Sequence[str | Path] = (), screenshot: str | Path | None = None,
               size: tuple[int, int] | None = None, settings=None, store: str | Path | None = None,
               model: str | Path | None = None, detect: bool = True, layout: str | None = None) -> int:
    """Open the viewer on ``paths`` with findings review (``store``, ``model``; ``detect=False``
    shows stored findings only); with ``screenshot`` save the window to that PNG (after the
    findings arrive) and return. ``layout`` (``1up``, ``2up``, ``4up`` or ``auto``) reads
    ``paths`` as studies in that hanging.

    Raises MammoViewerError when the screenshot cannot be written or the image fails to load
    in screenshot mode (the PNG, showing the error, is still written).
    """
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_app()
    early = start_models(model, detect)  # the models load while the window is built
    from mammoviewer.gui.viewer.main_window import MainWindow

    window = MainWindow(settings=settings)
    from mammoviewer.gui.last_resort import install as install_last_resort

    install_last_resort(window)  # an uncaught error is shown in the window instead of ending it
    if size is not None:
        window.resize(*size)
    review = attach_review(window, store=store, model=model, detect=detect, classify=detect, **early)
    if review is not None:
        install_tools(window, review)
    reader = None
    if layout is not None:
        from mammoviewer.gui.viewer.study_reader import StudyReader

        reader = window.study_reader = StudyReader(window, review)
        if review is not None:
            from mammoviewer.gui.report.controller import ReportController

            window.report = ReportController(reader)
    window.show()
    if reader is not None and not paths:  # never an empty window: the samples, or what to open
        if SAMPLES.is_dir() and reader.open([SAMPLES], layout):
            window.banner.show_message(NO_PATH_TEXT.format(where=SAMPLES), "info")
        else:
            window.banner.show_message(NOTHING_TO_OPEN, "warning")
    elif paths and reader is not None:
        reader.open(list(paths), layout)
    elif paths:
        window.open_paths(list(paths))
    from mammoviewer.io.decoder_process import close_shared_decoder

    if screenshot is None:
        try:
            return int(app.exec())
        finally:
            if review is not None:
                review.close()
            close_shared_decoder()
    try:
        if reader is not None:
            from mammoviewer.gui.viewer.study_loading import wait_for_study

            error, detection_error = wait_for_study(reader)
            if getattr(window, "report", None) is not None and not error:
                wait_for_exam_scores(window.report)
        else:
            error = wait_for_load(window)
            detection_error = None
            if review is not None and not error and review.detection.enabled:
                detection_error = wait_for_findings(review)
            if review is not None and not error:
                wait_for_case_score(review)
            window.image_view.fit()
        app.processEvents()
        pixmap = window.grab()
        if not pixmap.save(str(screenshot), "PNG"):
            raise MammoViewerError(f"{screenshot}: could not write the screenshot")
        if error:
            raise MammoViewerError(error)
        if detection_error and model is not None:  # the bundled model may simply be absent
            raise MammoViewerError(f"detection: {detection_error}")
        return 0
    finally:
        window.close()
        window.jobs.wait(10000)
        if review is not None:
            review.close()
        window.deleteLater()
        app.processEvents()
        close_shared_decoder()

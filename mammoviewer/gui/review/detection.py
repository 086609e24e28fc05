"""The detector in the window: loaded once in the background, run per film off the UI thread.

:class:`DetectorService` owns one detector. ``load()`` starts loading it on the job runner
(``gui/jobs.py``, channel ``"model"``); ``detect(key, image)`` runs it on channel
``"detect"``, so a newer request (another film) cancels and supersedes the running one.
A request made before the model is ready waits for it (only the latest such request).
The detector object itself knows nothing of threads: anything with ``name``, ``version``,
``device``, ``default_threshold`` and ``detect(image, threshold=, cancel=)`` will do.

Signals: ``stateChanged(text)`` (one line for the status bar), ``modelReady(detector)``,
``modelFailed(message)``, ``detectionStarted(key)``, ``detected(key, detections)``,
``detectionFailed(key, message)``, ``busyChanged(bool)``. A ``sink`` set on the service
keeps each result (e.g. writes it to the review store) on the worker thread.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Signal

from mammoviewer import keras_runtime
from mammoviewer.density.guard import check_mammogram
from mammoviewer.gui.jobs import TENSORFLOW, JobRunner
from mammoviewer.io.image import Image

#: model findings below this score are not kept (the threshold cannot show lower ones)
STORE_FLOOR = 0.05


def detector_factory(path: str | None = None, device: str = "auto") -> Callable[[], Any]:
    """A callable that loads the IDBLL detector (default: the bundled model) and runs it once; its
    ``label`` (the card's name and version, read without loading anything) says what it loads."""

    def load() -> Any:
        from mammoviewer.detect import Detector

        keras_runtime.leave_a_core_free()  # loads nothing: the runtime takes the threads when it starts
        with keras_runtime.collector_paused(freeze=True):
            detector = Detector.load(path, device=device)
            detector.warm_up()
        return detector

    from mammoviewer.detect.run import model_identity
    from mammoviewer.errors import DetectorError

    try:
        load.label = model_identity(path).label  # type: ignore[attr-defined]
    except DetectorError:
        load.label = ""  # type: ignore[attr-defined]  # the load itself reports the problem
    return load


#: ``sink(key, detector, detections, image)``: keeps a finished detection (runs on the worker thread)
Sink = Callable[[str, Any, list, Image], None]


def _run_detection(detector: Any, image: Image, floor: float, key: str, sink: Sink | None,
                   cancel: threading.Event, progress: Callable[[object], None]) -> list:
    check_mammogram(image)  # a CT, an ultrasound or a leg film: one line, no findings (never "normal")
    with keras_runtime.collector_paused():
        found = list(detector.detect(image, threshold=floor, cancel=cancel))
    if sink is not None and not cancel.is_set():
        sink(key, detector, found, image)  # the store write (fsync) stays off the UI thread too
    return found


def _prefetch(detector: Any, loader: Callable[..., Image], path: str, floor: float, key: str,
              sink: Sink | None, cancel: threading.Event, progress: Callable[[object], None]) -> str:
    image = loader(path, cancel=cancel, progress=progress)
    _run_detection(detector, image, floor, key, sink, cancel, progress)
    return key


def describe_model(detector: Any) -> str:
    """E.g. ``"idbll-light 1.0 on CPU"``."""
    return f"{detector.name} {detector.version} on {detector.device}"


class DetectorService(QObject):
    """One detector for the window; see the module docstring."""

    stateChanged = Signal(str)
    modelReady = Signal(object)
    modelFailed = Signal(str)
    detectionStarted = Signal(str)
    detected = Signal(str, object)
    detectionFailed = Signal(str, str)
    busyChanged = Signal(bool)
    prefetched = Signal(str)
    prefetchFailed = Signal(str)

    def __init__(self, jobs: JobRunner, factory: Callable[[], Any] | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self.factory = factory
        self.detector: Any | None = None
        self.error: str | None = None
        self.running_key: str | None = None
        self._loading = False
        self._waiting: tuple[str, Image] | None = None
        #: called on the worker with each finished detection, before ``detected`` is emitted
        self.sink: Sink | None = None
        #: store key of the film detected in the background now, if any
        self.prefetching: str | None = None

    @property
    def enabled(self) -> bool:
        """False when the window runs without detection (``--no-detect``)."""
        return self.factory is not None

    @property
    def floor(self) -> float:
        """Lowest score kept: the card's threshold or :data:`STORE_FLOOR`, whichever is lower."""
        default = float(getattr(self.detector, "default_threshold", STORE_FLOOR))
        return min(STORE_FLOOR, default)

    # -- loading -----------------------------------------------------------------------
    def load(self) -> None:
        """Start loading the model in the background (once; no-op when loaded or loading)."""
        if self.factory is None or self.detector is not None or self._loading or self.error:
            return
        self._loading = True
        label = getattr(self.factory, "label", "")
        self.stateChanged.emit(f"Loading detection model {label}\u2026" if label else "Loading detection model\u2026")
        self.busyChanged.emit(True)
        job = self.jobs.submit(self.factory, channel="model", lane=TENSORFLOW)
        job.finished.connect(self._on_loaded)
        job.failed.connect(self._on_load_failed)

    def set_factory(self, factory: Callable[[], Any] | None) -> None:
        """Use another model: drop the loaded one and load ``factory``'s in the background."""
        self.cancel()
        self.cancel_prefetch()
        self.jobs.cancel("model")
        self.factory, self.detector, self.error, self._loading = factory, None, None, False
        self.load()

    @property
    def loading(self) -> bool:
        return self._loading

    def _on_loaded(self, detector: Any) -> None:
        self._loading = False
        self.detector = detector
        self.stateChanged.emit(f"Model {describe_model(detector)}")
        self.modelReady.emit(detector)
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.detect(*waiting)
        elif not self.busy:
            self.busyChanged.emit(False)

    def _on_load_failed(self, message: str) -> None:
        self._loading = False
        self._waiting = None
        self.error = message
        self.stateChanged.emit("Model not loaded")
        self.busyChanged.emit(False)
        self.modelFailed.emit(message)

    # -- detection ---------------------------------------------------------------------
    def detect(self, key: str, image: Image) -> None:
        """Detect on ``image`` (its store key ``key``) in the background; supersedes a running one."""
        if self.factory is None or self.error:
            return
        if self.detector is None:
            self._waiting = (key, image)
            self.load()
            return
        self.running_key = key
        self.busyChanged.emit(True)
        self.detectionStarted.emit(key)
        job = self.jobs.submit(_run_detection, self.detector, image, self.floor, key, self.sink,
                               channel="detect", with_control=True, lane=TENSORFLOW)
        job.finished.connect(lambda found, k=key: self._on_detected(k, found))
        job.failed.connect(lambda message, k=key: self._on_failed(k, message))

    def prefetch(self, key: str, path: str, loader: Callable[..., Image]) -> None:
        """Load and detect a film that is not shown (channel ``"prefetch"``); the result goes
        to the ``sink`` only, then ``prefetched(key)`` is emitted (``prefetched("")`` and
        ``prefetchFailed(key)`` when it failed or was cancelled)."""
        if self.detector is None or self.sink is None:
            return
        self.prefetching = key
        job = self.jobs.submit(_prefetch, self.detector, loader, path, self.floor, key, self.sink,
                               channel="prefetch", with_control=True, lane=TENSORFLOW)
        job.finished.connect(self._on_prefetched)
        job.failed.connect(lambda message, k=key: self._on_prefetch_failed(k))

    def cancel_prefetch(self) -> None:
        self.jobs.cancel("prefetch")
        self.prefetching = None

    def _on_prefetched(self, key: str) -> None:
        self.prefetching = None
        self.prefetched.emit(key)

    def _on_prefetch_failed(self, key: str) -> None:
        if self.prefetching == key:
            self.prefetching = None
        self.prefetchFailed.emit(key)
        self.prefetched.emit("")

    @property
    def busy(self) -> bool:
        """True while a detection (or the model load) runs."""
        return self._loading or self.jobs.current("detect") is not None

    def cancel(self) -> None:
        """Cancel the running detection and any request waiting for the model."""
        self._waiting = None
        if self.jobs.current("detect") is not None:
            self.jobs.cancel("detect")
        self.running_key = None
        if not self._loading:
            self.busyChanged.emit(False)

    def _on_detected(self, key: str, found: list) -> None:
        self.running_key = None
        self.busyChanged.emit(self.busy)
        self.detected.emit(key, found)

    def _on_failed(self, key: str, message: str) -> None:
        self.running_key = None
        self.busyChanged.emit(self.busy)
        self.detectionFailed.emit(key, message)

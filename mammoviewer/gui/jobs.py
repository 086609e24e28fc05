"""The one place that starts worker threads.

A *job* runs a plain callable on a ``QThreadPool`` and reports back on the UI
thread through Qt signals::

    runner = JobRunner()
    job = runner.submit(load_image, path, channel="image")
    job.finished.connect(on_image)      # result
    job.failed.connect(on_error)        # one-line message (MammoViewerError text)

Jobs on the same *channel* supersede each other: submitting a new one cancels
the previous (its ``threading.Event`` is set) and the older job's result or
error is dropped, so a slow file never overwrites the one the user asked for
last. A callable that wants progress and cancellation takes them as keyword
arguments (``submit(fn, ..., with_control=True)`` passes ``progress=`` and
``cancel=``), the convention of the Qt-free core.

Jobs on the same *lane* run one at a time, process-wide, whichever runner
started them: every TensorFlow job (model loads, detection, classification,
retraining) uses ``lane=TENSORFLOW``, because two threads loading or running
models at once can crash TensorFlow (ONNX Runtime sessions would not mind, but the order keeps
the viewer's start-up simple: :func:`start_early` loads the models while the window is built). A lane is one long-lived Python thread
(``concurrent.futures``), not a Qt pool thread: the classifier's eager
TensorFlow kernels crashed (SIGSEGV in conv2d) on Qt pool threads, whose Python
thread state Qt's binding creates per call, and never on a Python thread. A queue of model jobs never holds up image loading; a job waiting for its
lane can still be cancelled, and then never starts.
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QElapsedTimer, QObject, QRunnable, QThreadPool, Signal, Slot

from mammoviewer.errors import MammoViewerError
from mammoviewer.messages import clean_message

_tokens = itertools.count(1)

#: the lane of every job that imports, loads or runs TensorFlow/Keras models
TENSORFLOW = "tensorflow"

_lanes: dict[str, ThreadPoolExecutor] = {}
_lanes_guard = threading.Lock()


def _lane(name: str) -> ThreadPoolExecutor:
    """The process-wide one-thread executor of lane ``name`` (created on first use)."""
    with _lanes_guard:
        if name not in _lanes:
            _lanes[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lane-{name}")
        return _lanes[name]


def start_early(fn: Callable[[], Any], lane: str = TENSORFLOW) -> Callable[[], Any]:
    """Start ``fn()`` now on ``lane`` (before any window or runner exists) and return a factory that gives
    its result (or raises its error). A job submitted later on the same lane runs after it, so calling
    the factory there never waits; the factory keeps ``fn``'s ``label``."""
    future = _lane(lane).submit(fn)

    def result() -> Any:
        return future.result()

    result.label = getattr(fn, "label", "")  # type: ignore[attr-defined]
    return result


class Job(QObject):
    """Handle of one submitted job; lives on the UI thread.

    Signals (emitted on the UI thread, never for a stale or cancelled job):
    ``finished(result)``, ``failed(message)``, ``progress(value)``;
    ``done()`` is emitted last in every case except when the job was superseded.
    """

    finished = Signal(object)
    failed = Signal(str)
    progress = Signal(object)
    done = Signal()

    def __init__(self, channel: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.token: int = next(_tokens)
        self.channel = channel
        self.cancel_event = threading.Event()
        self.is_running = True

    def cancel(self) -> None:
        """Ask the callable to stop and drop whatever it still reports."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


class _WorkerSignals(QObject):
    """Signals emitted from the worker thread, queued to the UI-thread relay."""

    result = Signal(int, object)
    error = Signal(int, str)
    progress = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, job: Job, signals: _WorkerSignals, fn: Callable[..., Any], args: tuple,
                 kwargs: dict[str, Any], with_control: bool) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job_token = job.token
        self._cancel = job.cancel_event
        self._signals = signals
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._with_control = with_control

    def run(self) -> None:  # worker thread
        token, signals = self._job_token, self._signals
        kwargs = dict(self._kwargs)
        if self._with_control:
            kwargs["progress"] = lambda value: signals.progress.emit(token, value)
            kwargs["cancel"] = self._cancel
        try:
            if self._cancel.is_set():
                signals.error.emit(token, "cancelled")
                return
            result = self._fn(*self._args, **kwargs)
        except MammoViewerError as exc:
            signals.error.emit(token, str(exc))
        except Exception as exc:  # a worker must never take the window down
            signals.error.emit(token, f"internal error: {type(exc).__name__}: {clean_message(exc)}")
        else:
            signals.result.emit(token, result)


class JobRunner(QObject):
    """Runs callables on its own thread pool; see the module docstring."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._signals = _WorkerSignals()  # no parent: a task that outlives its runner still emits safely
        self._signals.result.connect(self._on_result)
        self._signals.error.connect(self._on_error)
        self._signals.progress.connect(self._on_progress)
        self._lane_futures: set[Future] = set()
        self._jobs: dict[int, Job] = {}
        self._current: dict[str, int] = {}

    def submit(self, fn: Callable[..., Any], *args: Any, channel: str = "default",
               with_control: bool = False, lane: str | None = None, **kwargs: Any) -> Job:
        """Run ``fn(*args, **kwargs)`` on a worker thread; returns the job handle.

        A running job on the same ``channel`` is cancelled and its outcome dropped;
        jobs on the same ``lane`` run one after another.
        """
        self.cancel(channel)
        job = Job(channel, self)
        self._jobs[job.token] = job
        self._current[channel] = job.token
        task = _Task(job, self._signals, fn, args, kwargs, with_control)
        if lane is None:
            self.pool.start(task)
        else:
            self._lane_futures = {f for f in self._lane_futures if not f.done()}
            self._lane_futures.add(_lane(lane).submit(task.run))
        return job

    def current(self, channel: str = "default") -> Job | None:
        """The latest job of ``channel`` still running, if any."""
        token = self._current.get(channel)
        return self._jobs.get(token) if token is not None else None

    def cancel(self, channel: str = "default") -> None:
        """Cancel the running job of ``channel`` (its outcome will be dropped)."""
        job = self.current(channel)
        if job is not None:
            job.cancel()
            self._current.pop(channel, None)

    def cancel_all(self) -> None:
        for channel in list(self._current):
            self.cancel(channel)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every worker returned (used on shutdown); True if all did."""
        timer = QElapsedTimer()
        timer.start()
        pool_done = bool(self.pool.waitForDone(msecs))
        left_s = max(0.0, (msecs - timer.elapsed()) / 1000.0)
        _, pending = futures_wait(self._lane_futures, timeout=left_s)
        return pool_done and not pending

    # -- UI-thread relays -------------------------------------------------------------
    def _take(self, token: int) -> Job | None:
        job = self._jobs.pop(token, None)
        if job is None:
            return None
        job.is_running = False
        current = self._current.get(job.channel) == token
        if current:
            self._current.pop(job.channel, None)
        job.deleteLater()
        return None if (job.cancelled or not current) else job

    @Slot(int, object)
    def _on_result(self, token: int, result: object) -> None:
        job = self._take(token)
        if job is not None:
            job.finished.emit(result)
            job.done.emit()

    @Slot(int, str)
    def _on_error(self, token: int, message: str) -> None:
        job = self._take(token)
        if job is not None:
            job.failed.emit(message)
            job.done.emit()

    @Slot(int, object)
    def _on_progress(self, token: int, value: object) -> None:
        job = self._jobs.get(token)
        if job is not None and not job.cancelled:
            job.progress.emit(value)

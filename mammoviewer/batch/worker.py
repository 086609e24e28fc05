"""What runs inside a Dask worker: one detector per worker process, loaded once, and the detection task.

:class:`DetectorPlugin` is registered with the cluster (so workers that join or restart later get it
too); the model is loaded on the worker's first task (its ONNX twin on ONNX Runtime, no TensorFlow,
when the model has one), with the runtime's intra-op threads set to the cores the worker may use. :func:`detect_films` runs :func:`~mammoviewer.detect.run.detect_film` on
each path of a task.

Fault injection for tests: a worker whose environment has ``MAMMOVIEWER_BATCH_CRASH_ON=NAME`` kills
its own process with SIGKILL when it is given a film whose file name is ``NAME``, as a codec that
crashes would. It exercises the real path of a dying worker (the nanny restarts the process, the
scheduler reschedules its task and gives up after its ``allowed-failures``).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from mammoviewer.detect.run import FilmResult, detect_film

CRASH_ENV = "MAMMOVIEWER_BATCH_CRASH_ON"
#: worker environment variable that overrides the intra-op threads a worker's model uses
THREADS_ENV = "MAMMOVIEWER_TF_THREADS"


class DetectorPlugin(WorkerPlugin):
    """Holds the worker's detector: ``model`` (None: the bundled one) on ``device``.

    ``threads`` maps a worker host to the intra-op threads of each of its workers; a host not in it
    uses all its cores. ``MAMMOVIEWER_TF_THREADS`` in a worker's environment overrides both.
    """

    idempotent = True  # registered again by a later run: keep the loaded model

    def __init__(self, name: str, model: str | None, device: str, threads: dict[str, int]) -> None:
        self.name = name
        self.model = model
        self.device = device
        self.threads = dict(threads)
        self.detector: Any = None

    def setup(self, worker: Any) -> None:
        self._lock = threading.Lock()
        self._host = str(worker.address).rsplit(":", 1)[0].split("://")[-1]

    def teardown(self, worker: Any) -> None:
        self.detector = None

    def intra_threads(self) -> int:
        env = os.environ.get(THREADS_ENV, "")
        if env.isdigit() and int(env) > 0:
            return int(env)
        return max(1, int(self.threads.get(self._host, os.cpu_count() or 1)))

    def get(self) -> Any:
        """The loaded detector (loaded on first use; DetectorError if it cannot be)."""
        with self._lock:
            if self.detector is None:
                threads = self.intra_threads()
                _limit_threads(threads)
                from mammoviewer.detect import Detector

                detector = Detector.load(self.model, device=self.device)
                detector.warm_up()  # so the first film's "seconds" is its own work only
                self.detector = detector
            return self.detector


def _limit_threads(n: int) -> None:
    """Use ``n`` cores for the model's and OpenCV's kernels in this process (before the model loads)."""
    import cv2

    from mammoviewer.keras_runtime import set_threads

    cv2.setNumThreads(n)
    set_threads(n, min(2, n))  # loads nothing; False when TensorFlow already computed here: it keeps its pools


def detect_films(plugin_name: str, paths: list[str], threshold: float) -> tuple[str, list[FilmResult]]:
    """The Dask task: detect on each of ``paths``; the worker's model label and one result per path."""
    crash_on = os.environ.get(CRASH_ENV)
    if crash_on and any(Path(p).name == crash_on for p in paths):
        os.kill(os.getpid(), signal.SIGKILL)  # test hook: as a decoder crashing on that film would
    detector = get_worker().plugins[plugin_name].get()
    from mammoviewer.density.guard import check_mammogram

    results = [detect_film(detector, path, threshold, check=check_mammogram) for path in paths]  # no CT as "normal"
    return f"{detector.name} {detector.version}", results

"""The Dask cluster of a batch: a local one started for the run, or an existing one by address."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import dask
from distributed import Client, LocalCluster

from mammoviewer.batch.journal import BatchError

#: scheduler settings of a local cluster: a task whose worker died twice is given up (KilledWorker),
#: and a worker holds only the task it runs, so a dying worker takes no queued innocent task with it;
#: each worker ignores Ctrl+C (the batch stops the cluster itself), see :mod:`mammoviewer.batch.worker_signals`
LOCAL_CONFIG = {"distributed.scheduler.allowed-failures": 1, "distributed.scheduler.worker-saturation": 1.0,
                "distributed.worker.preload": ["mammoviewer.batch.worker_signals"]}  # fmt: skip


@contextmanager
def open_cluster(workers: int | None = None, scheduler: str | None = None,
                 connect_timeout_s: float | None = None) -> Iterator[tuple[Client, dict[str, int] | None]]:  # fmt: skip
    """A client of a new local cluster of ``workers`` processes (one thread each) or of ``scheduler``.

    Yields ``(client, threads)``: TensorFlow threads per worker host for a local cluster (the
    cores shared by its workers), None for an existing cluster (measured on its workers).
    BatchError if the scheduler cannot be reached within ``connect_timeout_s`` (default: Dask's
    ``distributed.comm.timeouts.connect``).
    """
    if scheduler is not None:
        timeout = connect_timeout_s if connect_timeout_s is not None else dask.config.get(
            "distributed.comm.timeouts.connect")
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise BatchError(f"{scheduler}: cannot reach the Dask scheduler ({type(exc).__name__}: {exc})") from exc
        try:
            yield client, None
        finally:
            client.close()
        return
    n = max(1, int(workers or os.cpu_count() or 1))
    quiet_resource_tracker()
    with dask.config.set(LOCAL_CONFIG):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)  # fmt: skip
    try:
        client = Client(cluster)
        try:
            yield client, {"127.0.0.1": max(1, (os.cpu_count() or 1) // n)}
        finally:
            client.close()
    finally:
        cluster.close()


def quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with its stderr on the null device.

    The worker processes' locks and queues are registered with it; when the batch is killed outright
    (SIGKILL, the OOM killer) it removes them, as it should, but also prints Python's "leaked
    semaphore objects" warning, which nobody can act on. A tracker that already runs is left as it is.
    """
    from multiprocessing import resource_tracker

    tracker = getattr(resource_tracker, "_resource_tracker", None)
    if tracker is None or getattr(tracker, "_fd", None) is not None:
        return
    try:
        saved = os.dup(2)
    except OSError:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            resource_tracker.ensure_running()
        finally:
            os.dup2(saved, 2)
            os.close(devnull)
    finally:
        os.close(saved)

"""The batch driver: hands films to Dask workers and records what comes back, in one process.

Only the driver writes: each finished task's entries go to the review store (when asked), then to
the journal (appended and fsync'ed), so a run killed at any point resumes where it stopped. A task
whose worker died is rescheduled by Dask; a task of several films that killed workers too often is
split into single films, and a single film that did is recorded as an error, never retried again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from distributed import Client, Future, KilledWorker, as_completed

from mammoviewer.batch.journal import BatchError, Journal
from mammoviewer.batch.sources import FileKey
from mammoviewer.batch.worker import DetectorPlugin, detect_films
from mammoviewer.detect.run import FilmResult, error_entry
from mammoviewer.errors import MammoViewerError


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What a run did: films detected now, and how many of them failed."""

    detected: int
    failed: int


def host_of(address: str) -> str:
    """``"tcp://10.0.0.5:8786"`` -> ``"10.0.0.5"``."""
    return str(address).split("://")[-1].rsplit(":", 1)[0]


def _cores() -> int:
    return os.cpu_count() or 1


def threads_per_host(client: Client) -> dict[str, int]:
    """Intra-op threads for each worker process: its host's cores shared by the worker processes there."""
    cores = client.run(_cores)
    per_host: dict[str, list[int]] = {}
    for address, n in cores.items():
        per_host.setdefault(host_of(address), []).append(int(n))
    return {host: max(1, max(ns) // len(ns)) for host, ns in per_host.items()}


def register_detector(client: Client, model: str | None, device: str,
                      threads: dict[str, int] | None = None) -> str:  # fmt: skip
    """Give every worker (also those joining later) a :class:`DetectorPlugin`; its name.

    The name follows from the model, device and threads, so a later run on the same cluster finds
    the model already loaded on its workers instead of loading another copy.
    """
    threads = threads_per_host(client) if threads is None else threads
    ident = json.dumps([model, device, sorted(threads.items())])
    name = f"mammoviewer-detector-{hashlib.sha1(ident.encode()).hexdigest()[:12]}"
    plugin = DetectorPlugin(name, model, device, threads)
    client.register_plugin(plugin)
    return name


def _in_flight_limit(client: Client) -> int:
    return max(4, 2 * sum(client.nthreads().values()) + 2)


def run_batch(client: Client, todo: Sequence[FileKey], journal: Journal, plugin: str, model_label: str,
              threshold: float, films_per_task: int = 1,
              record: Callable[[dict[str, Any], FilmResult], None] | None = None,
              on_done: Callable[[list[FilmResult]], None] | None = None) -> BatchSummary:  # fmt: skip
    """Detect on ``todo`` with the workers of ``client`` and append each result to ``journal``.

    ``record(entry, result)`` is called for each film before its line is written (the review
    store); ``on_done(results)`` after each task's lines are written. Raises
    DetectorError if a worker cannot load the model or loads another one than ``model_label``,
    BatchError if the cluster fails otherwise; what was finished before stays recorded.
    """
    allowed = _allowed_failures(client)
    chunks = [list(todo[i:i + films_per_task]) for i in range(0, len(todo), films_per_task)]
    chunks.reverse()  # pop() from the end keeps the input order
    running: dict[Future, list[FileKey]] = {}
    queue = as_completed()
    limit, limit_checked = _in_flight_limit(client), time.monotonic()
    detected = failed = 0

    def submit(chunk: list[FileKey]) -> None:
        fut = client.submit(detect_films, plugin, [k.path for k in chunk], float(threshold), pure=False,
                            key=f"mammoviewer-detect-{uuid.uuid4().hex}")  # fmt: skip
        running[fut] = chunk
        queue.add(fut)

    def top_up() -> None:
        nonlocal limit, limit_checked
        if time.monotonic() - limit_checked > 2.0:  # the cluster may grow or shrink while it runs
            limit, limit_checked = _in_flight_limit(client), time.monotonic()
        while chunks and len(running) < limit:
            submit(chunks.pop())

    top_up()
    try:
        for fut in queue:
            chunk = running.pop(fut)
            done: list[tuple[FileKey, FilmResult]] = []
            # A future can be handed over while Dask still moves it (a worker died and the task was
            # rescheduled): _exception waits for its end, and None means it finished after all.
            exc = None if fut.status == "finished" else _exception(fut)
            if exc is None:
                label, results = fut.result()
                if label != model_label:
                    raise BatchError(f"a Dask worker loaded model {label!r}, not {model_label!r}; "
                                     "install the same model on every worker")  # fmt: skip
                done = list(zip(chunk, results))
            else:
                if not isinstance(exc, KilledWorker):
                    if isinstance(exc, MammoViewerError):
                        raise exc
                    raise BatchError(f"a Dask task failed ({type(exc).__name__}: {exc})") from exc
                if len(chunk) > 1:  # find the culprit: every film again on its own
                    chunks.extend(reversed([[k] for k in chunk]))
                else:
                    msg = (f"{chunk[0].path}: the worker process died {allowed + 1} times on this film "
                           "(a crashing decoder?); not retried")
                    done = [(chunk[0], FilmResult(error_entry(chunk[0].path, msg)))]
            for key, result in done:
                if record is not None and not result.failed:
                    record(result.entry, result)
            journal.append([(key, result.entry) for key, result in done])
            detected += len(done)
            failed += sum(r.failed for _, r in done)
            fut.release()
            if on_done is not None and done:
                on_done([r for _, r in done])
            top_up()
    finally:
        if running:
            client.cancel(list(running))
    return BatchSummary(detected, failed)


def _scheduler_allowed_failures(dask_scheduler: Any) -> int:
    return int(dask_scheduler.allowed_failures)


def _allowed_failures(client: Client) -> int:
    """How many worker deaths the scheduler forgives a task (its ``allowed-failures``)."""
    try:
        return int(client.run_on_scheduler(_scheduler_allowed_failures))
    except Exception:  # noqa: BLE001 - a scheduler that refuses to run functions: assume its configuration
        import dask

        return int(dask.config.get("distributed.scheduler.allowed-failures"))


def _exception(fut: Future) -> BaseException | None:
    """The error a task ended with, waiting up to 30 s for its end; None if it finished."""
    try:
        exc = fut.exception(timeout=30)
    except Exception as err:  # noqa: BLE001 - cancelled (scheduler lost), timed out
        return BatchError(f"lost the Dask task of {fut.key} ({type(err).__name__}: {err}); "
                          "run the same command again to resume")  # fmt: skip
    if exc is None and fut.status != "finished":
        return BatchError(f"Dask task {fut.key} ended as {fut.status}")
    return exc

"""Detection over an archive on a Dask cluster, resumable (Qt-free).

Typical use (what ``mammoviewer batch`` does)::

    inputs = collect_inputs(["/archive/films"])               # FileKey per film: path, size, mtime
    with Journal.open(out, {"model": label, "threshold": t}, inputs) as journal:
        todo = journal.pending(inputs)                          # skips finished, unchanged films
        with open_cluster(workers=2) as (client, threads):      # or scheduler="tcp://host:8786"
            plugin = register_detector(client, None, "cpu", threads)
            run_batch(client, todo, journal, plugin, label, t)  # appends results.jsonl lines

Each line of ``results.jsonl`` is an entry of ``mammoviewer detect --json``.
"""

from __future__ import annotations

from mammoviewer.batch.cluster import open_cluster
from mammoviewer.batch.driver import BatchSummary, register_detector, run_batch
from mammoviewer.batch.journal import BatchError, Journal
from mammoviewer.batch.sources import FileKey, collect_inputs

__all__ = ["BatchError", "BatchSummary", "FileKey", "Journal", "collect_inputs", "open_cluster",
           "register_detector", "run_batch"]  # fmt: skip

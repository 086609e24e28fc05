"""``mammoviewer batch``: detect over an archive on a Dask cluster, resumable, one results line per film."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mammoviewer.cli.arguments import positive_int, score
from mammoviewer.progress import Bar, say

if TYPE_CHECKING:
    from mammoviewer.batch import BatchSummary, FileKey, Journal
    from mammoviewer.detect.run import FilmResult, ModelIdentity
    from mammoviewer.review import ReviewStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="image files, or folders searched recursively for images")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder: results.jsonl (one line per film), run.json, keys.jsonl")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int, default=None, metavar="N",
                       help="start a local Dask cluster of N worker processes (default: one per core)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="use the existing Dask cluster at ADDRESS (tcp://host:port)")
    parser.add_argument("--model", default=None, help="model file or folder (default: the bundled model)")
    parser.add_argument("--threshold", type=score, default=None,
                        help="keep findings with score >= T (default: the model's operating point)")
    parser.add_argument("--store", default=None, metavar="S",
                        help="also record the findings in review store S as pending, for review")
    parser.add_argument("--device", choices=("auto", "cpu", "gpu"), default="cpu",
                        help="where each worker runs the model (default: cpu)")
    parser.add_argument("--films-per-task", type=positive_int, default=1, metavar="K",
                        help="films per Dask task (more amortise the scheduler's cost per task; default 1)")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.batch import BatchError, Journal, collect_inputs
    from mammoviewer.batch.journal import RESULTS
    from mammoviewer.detect.run import model_identity

    if not os.environ.get("MAMMOVIEWER_DEBUG"):
        logging.getLogger("distributed").setLevel(logging.CRITICAL)  # problems are reported as one line
    ident = model_identity(args.model)
    threshold = ident.default_threshold if args.threshold is None else float(args.threshold)
    inputs = collect_inputs(args.sources)
    if not inputs:
        raise BatchError(f"{', '.join(args.sources)}: no images found")
    model_path = None if args.model is None else str(Path(args.model).absolute())
    run_info = {"model": ident.label, "threshold": threshold, "model_path": model_path}
    store = None
    if args.store is not None:
        from mammoviewer.review import ReviewStore

        store = ReviewStore.open(args.store)
    try:
        with Journal.open(args.out, run_info, inputs) as journal:
            todo = journal.pending(inputs)
            summary = None
            if todo:
                summary = _detect(args, todo, journal, ident, threshold, store, len(inputs))
            errors = sum("error" in journal.finished[k.path][0] for k in inputs if k.path in journal.finished)
    finally:
        if store is not None:
            store.close()
    detected = summary.detected if summary else 0
    print(f"{len(inputs)} films: {detected} detected now ({summary.failed if summary else 0} failed), "
          f"{len(inputs) - len(todo)} done before; {errors} errors in all; "
          f"results in {Path(args.out) / RESULTS}")
    return 2 if errors else 0


def _detect(args: argparse.Namespace, todo: list[FileKey], journal: Journal, ident: ModelIdentity,
            threshold: float, store: ReviewStore | None, total: int) -> BatchSummary:  # fmt: skip
    """Run the films of ``todo`` on the cluster the arguments name, with a progress bar."""
    from mammoviewer.batch import open_cluster, register_detector, run_batch

    record: Callable[[dict[str, Any], FilmResult], None] | None = None
    if store is not None:
        from mammoviewer.review.pending import record_pending

        def record_in_store(entry: dict[str, Any], result: FilmResult) -> None:
            record_pending(store, entry, ident.name, ident.version, threshold, result.pixel_spacing_mm)

        record = record_in_store

    with Bar(total, "batch", initial=total - len(todo)) as bar:
        def on_done(results: list[FilmResult]) -> None:
            for r in results:
                if r.failed:
                    say(f"mammoviewer: error: {r.entry['error']}")
            bar.update(len(results))

        with open_cluster(args.workers, args.scheduler) as (client, threads):
            plugin = register_detector(client, args.model and str(Path(args.model).absolute()), args.device,
                                       threads)
            return run_batch(client, todo, journal, plugin, ident.label, threshold, args.films_per_task,
                             record=record, on_done=on_done)

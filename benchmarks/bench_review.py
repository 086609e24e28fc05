"""Review store and export speed: per-edit commit latency, MIAS import, export per format.

Target: an edit (persisted, durable) well under 20 ms so the view never lags behind the reader.
Usage: ``python benchmarks/bench_review.py``; data from ``../shared/data/mias``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from mammoviewer.formats import export_store, import_mias
from mammoviewer.review import AddFinding, Box, CommandStack, Finding, MoveFinding, ReviewDocument, ReviewStore

MIAS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "mias"
SCRATCH = Path(__file__).resolve().parents[1] / ".work"


def main() -> int:
    SCRATCH.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        store = ReviewStore.open(Path(tmp) / "bench.mvstore")
        t = time.perf_counter()
        s = import_mias(store, MIAS / "Info.txt", MIAS)
        print(f"import MIAS: {s.images} images, {s.findings} findings in {time.perf_counter() - t:.3f} s")
        key = store.images()[0].key
        doc = ReviewDocument.open(store, key)
        stack = CommandStack(doc)
        times = []
        for i in range(200):
            f = Finding(image_key=key, box=Box(i, 0, i + 10, 10), label="benign")
            t = time.perf_counter()
            stack.push(AddFinding(f))
            stack.push(MoveFinding(f.id, f.box, f.box.translated(1, 1)))
            times.append((time.perf_counter() - t) / 2)
        t = time.perf_counter()
        while stack.undo():
            pass
        undo = (time.perf_counter() - t) / 400
        ms = sorted(x * 1000 for x in times)
        print(f"edit commit (synchronous=FULL): median {statistics.median(ms):.2f} ms, "
              f"p95 {ms[int(0.95 * len(ms))]:.2f} ms, max {ms[-1]:.2f} ms (target < 20 ms)")  # fmt: skip
        print(f"undo step: {undo * 1000:.2f} ms mean")
        for fmt, name in (("mias", "o.txt"), ("coco", "o.json"), ("voc", "voc"), ("yolo", "yolo"), ("csv", "o.csv")):
            t = time.perf_counter()
            export_store(store, fmt, Path(tmp) / name)
            print(f"export {fmt}: {time.perf_counter() - t:.3f} s for {s.images} images")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

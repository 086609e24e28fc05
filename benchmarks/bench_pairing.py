"""Finding the other breast's film for every DICOM film of one folder, as a batch run's case score does.

Usage: ``python benchmarks/bench_pairing.py [--films N] [--runs R]``

N small DICOM films (N/4 patients, four views each) are written to a temporary folder; every film's
partner is then looked up with ``studies.pairing.contralateral_path``:

* per film: the folder's header index dropped before each lookup, so every film reads the folder's
  headers again (what each lookup cost before the index was kept per folder);
* per folder: the index kept, as it is now, so the folder's headers are read once for all N films.

Prints the median over R runs of the time for all N lookups and the ratio. The per-film lookup before
the index stopped at the first match in name order, so with these names it read about half the folder
a film: about half the first figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def write_folder(folder: Path, films: int) -> list[Path]:
    from study_writer import write_film

    paths = []
    pixels = np.zeros((32, 32), np.uint8)
    for i in range(films):
        patient, view = divmod(i, 4)
        side, name = ("R", "L")[view % 2], ("CC", "MLO")[view // 2]
        paths.append(write_film(folder / f"p{patient:04d}_{side}{name}.dcm", pixels, patient=f"P{patient:04d}",
                                study_uid=f"1.2.826.0.1.3680043.10.{patient + 1}", date="20260101",
                                laterality=side, view=name))
    return paths


def lookups(images, keep_index: bool) -> tuple[float, int]:
    from mammoviewer.studies import pairing

    pairing._read_index.cache_clear()
    found = 0
    t0 = time.perf_counter()
    for image in images:
        if not keep_index:
            pairing._read_index.cache_clear()
        found += pairing.contralateral_path(image) is not None
    return time.perf_counter() - t0, found


def main(argv: list[str] | None = None) -> int:
    from mammoviewer.io import load_image

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--films", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        images = [load_image(p) for p in write_folder(Path(tmp), a.films)]
        results = {}
        for keep in (False, True):
            runs = [lookups(images, keep) for _ in range(a.runs)]
            if any(n != a.films for _, n in runs):
                raise SystemExit(f"expected a partner for each of the {a.films} films, got {[n for _, n in runs]}")
            results[keep] = statistics.median(t for t, _ in runs)
    per_film, per_folder = results[False], results[True]
    print(f"{a.films} DICOM films in one folder, the other breast of each (median of {a.runs} runs):")
    print(f"  headers read per film:   {per_film:7.2f} s ({1000 * per_film / a.films:6.1f} ms a film)")
    print(f"  headers read per folder: {per_folder:7.2f} s ({1000 * per_folder / a.films:6.1f} ms a film)")
    print(f"  ratio {per_film / per_folder:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

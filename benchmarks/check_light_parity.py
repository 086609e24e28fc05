"""Do ONNX Runtime (``model.onnx``) and TensorFlow (``model.keras``) give the same findings on every film?

Loads the bundled detector twice in one process (its twin, then its ``.keras`` file through TensorFlow)
and compares every candidate finding (threshold 0: up to 100 per film, after the card's
post-processing) on all shared MIAS and DDSM films: the same count and labels, boxes within
``--box-tol`` px (default 0.5) and scores within ``--score-tol`` (default 1e-4), matched in order
and, where near-ties swapped two, one to one. Prints a summary line per data set; exit 1 if any film
differs.

Usage: ``python benchmarks/check_light_parity.py [--limit N] [--model FOLDER]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"


def films() -> dict[str, list[Path]]:
    return {"MIAS": sorted((SHARED / "mias").glob("mdb*.png")), "DDSM": sorted((SHARED / "ddsm").glob("*/*.dcm"))}


def same(a: list, b: list, box_tol: float, score_tol: float) -> tuple[bool, float, float]:
    """(the two lists match, largest box difference, largest score difference) of matched findings."""
    if len(a) != len(b):
        return False, float("inf"), float("inf")
    if not a:
        return True, 0.0, 0.0

    def close(x, y) -> tuple[bool, float, float]:
        db = float(np.max(np.abs(np.subtract(x.box, y.box))))
        ds = abs(x.score - y.score)
        return x.label == y.label and db <= box_tol and ds <= score_tol, db, ds

    pairs = [close(x, y) for x, y in zip(a, b)]
    if all(p[0] for p in pairs):
        return True, max(p[1] for p in pairs), max(p[2] for p in pairs)
    left, worst_b, worst_s = list(b), 0.0, 0.0  # near-ties may be ordered differently: match one to one
    for x in a:
        hit = next((i for i, y in enumerate(left) if close(x, y)[0]), None)
        if hit is None:
            return False, float("inf"), float("inf")
        _, db, ds = close(x, left.pop(hit))
        worst_b, worst_s = max(worst_b, db), max(worst_s, ds)
    return True, worst_b, worst_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="model folder (default: the bundled one)")
    parser.add_argument("--limit", type=int, default=0, help="films per data set (default: all)")
    parser.add_argument("--box-tol", type=float, default=0.5)
    parser.add_argument("--score-tol", type=float, default=1e-4)
    args = parser.parse_args()

    from mammoviewer.detect import Detector
    from mammoviewer.detect.light_runtime import RUNTIME_ENV
    from mammoviewer.io import load_image

    light = Detector.load(args.model, device="cpu")
    os.environ[RUNTIME_ENV] = "tensorflow"
    keras = Detector.load(args.model, device="cpu")
    del os.environ[RUNTIME_ENV]
    print(f"{light.name} {light.version}: {light.runtime} against {keras.runtime}; threshold 0, "
          f"boxes within {args.box_tol} px, scores within {args.score_tol}")
    failed = 0
    for name, paths in films().items():
        paths = paths[: args.limit] if args.limit else paths
        if not paths:
            print(f"{name}: no films found under {SHARED}")
            continue
        t0, bad, worst_b, worst_s, count, seconds = time.perf_counter(), [], 0.0, 0.0, 0, [0.0, 0.0]
        for path in paths:
            image = load_image(path)
            results = []
            for i, det in enumerate((light, keras)):
                t = time.perf_counter()
                results.append(det.detect(image, threshold=0.0))
                seconds[i] += time.perf_counter() - t
            ok, db, ds = same(*results, args.box_tol, args.score_tol)
            count += len(results[0])
            if ok:
                worst_b, worst_s = max(worst_b, db), max(worst_s, ds)
            else:
                bad.append(path.name)
        failed += len(bad)
        print(f"{name}: {len(paths)} films, {count} findings; {len(paths) - len(bad)} the same, {len(bad)} differ"
              f"{' (' + ', '.join(bad[:10]) + ')' if bad else ''}; largest differences: box {worst_b:.2g} px, "
              f"score {worst_s:.2g}; detect() per film: {light.runtime} {seconds[0] / len(paths) * 1000:.0f} ms, "
              f"{keras.runtime} {seconds[1] / len(paths) * 1000:.0f} ms ({time.perf_counter() - t0:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""An IDBLL 3 model against the bundled idbll-light 1.4 in one run: end-to-end ``Detector.detect`` on a
1024x1024 film, interleaved (A, B, A, B, ...) so both see the same machine load, the ratio, and the files' sizes.

Usage: ``python benchmarks/bench_idbll3.py --model DIR [--repeats N] [--film PATH]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="the model folder to compare with the bundled one")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--film", default=str(ROOT / "resources" / "samples" / "mdb023.pgm"))
    args = parser.parse_args()
    if args.model is None:  # run_all runs every script without arguments
        print("bench_idbll3: give --model DIR to compare a model with the bundled one; nothing measured")
        return 0

    from mammoviewer.detect import Detector, default_model_path
    from mammoviewer.io import load_image

    image = load_image(args.film)
    models = {"bundled": Detector.load(default_model_path().parent, device="cpu"),
              "--model": Detector.load(args.model, device="cpu")}
    times: dict[str, list[float]] = {k: [] for k in models}
    for det in models.values():
        det.detect(image, threshold=0.0)  # warm: first-size planning
    for _ in range(args.repeats):
        for label, det in models.items():
            t0 = time.perf_counter()
            det.detect(image, threshold=0.0)
            times[label].append(time.perf_counter() - t0)
    print(f"machine: {os.cpu_count()} CPU threads visible; film {args.film} ({image.columns}x{image.rows}); "
          f"load average {os.getloadavg()[0]:.1f}")
    median = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    for label, det in models.items():
        files = sorted(det.path.parent.glob("model.*"))
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files if p.suffix != ".json")
        print(f"{label}: {det.name} {det.version} ({det.path.parent}), runtime {det.device}: detect() end to end "
              f"{median[label] * 1000:.1f} ms (median of {args.repeats}); {sizes}")
    print(f"--model / bundled time ratio: {median['--model'] / median['bundled']:.2f}x")
    print("targets: <= 300 ms a 1024x1024 film on 2 cores, model file <= 25 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

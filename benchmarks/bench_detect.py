"""Detector speed on this machine: the bundled light SSD on a whole 1024x1024 MIAS film (one pass)
against an SSD256 on a VGG16 base run over the 16 tiles of 256x256 that cover the film (the
published approach). The VGG16 network has random weights: only its cost is measured.

Usage: ``python benchmarks/bench_detect.py [--repeats N] [--film PATH]``
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timing import median_seconds  # noqa: E402 (benchmarks/timing.py, beside this script)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--film", default=None, help="a 1024x1024 MIAS film (default: the sample or shared data)")
    args = parser.parse_args()

    import numpy as np

    from mammoviewer.keras_runtime import keras  # noqa: F401  (imports TensorFlow quietly)
    import tensorflow as tf

    from mammoviewer.detect import Detector
    from mammoviewer.detect.model import build_ssd
    from mammoviewer.io import load_image

    candidates = [args.film] if args.film else [
        ROOT / "resources" / "samples" / "mdb023.pgm",
        ROOT / ".." / "shared" / "data" / "mias" / "pgm" / "mdb023.pgm",
        ROOT / ".." / "shared" / "data" / "mias" / "mdb023.png",
    ]
    film = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    if film is None:
        print("bench_detect: no MIAS film found; pass --film PATH", file=sys.stderr)
        return 2
    threads = os.cpu_count()
    print(f"machine: {threads} CPU threads visible, TensorFlow {tf.__version__}, "
          f"intra-op threads {tf.config.threading.get_intra_op_parallelism_threads() or 'default (all)'}")
    image = load_image(film)
    det = Detector.load(device="cpu")
    print(f"film: {film} ({image.columns}x{image.rows}); model: {det.name} {det.version} on {det.device} ({det.runtime})")

    t_full = median_seconds(lambda: det.detect(image, threshold=0.0), args.repeats)
    mi = det.last_input
    x = mi.array[None, :, :, None].astype("float32")
    t_fwd = median_seconds(lambda: det._forward(x), args.repeats)
    passes = 1 + len(det.tta)
    how = f"film + {', '.join(det.tta)} averaged: {passes} forward passes" if det.tta else "one forward pass"
    print(f"light SSD, whole film ({x.shape[2]}x{x.shape[1]} at {det.pixel_size_mm} mm; {how}): "
          f"one forward pass {t_fwd * 1000:.1f} ms, detect() end to end {t_full * 1000:.1f} ms "
          f"(median of {args.repeats})")

    vgg = build_ssd("vgg16")  # random weights: cost only
    f = tf.function(lambda t: vgg(t, training=False), reduce_retracing=True)
    tiles = np.random.default_rng(0).uniform(0, 1, (16, 256, 256, 1)).astype("float32")
    t_batched = median_seconds(lambda: f(tf.constant(tiles)).numpy(), max(3, args.repeats // 3), warmup=1)
    one = [tf.constant(tiles[i : i + 1]) for i in range(16)]
    t_single = median_seconds(lambda: [f(t).numpy() for t in one], max(3, args.repeats // 3), warmup=1)
    print(f"VGG16-SSD256 (random weights), 16 tiles of 256x256: batched {t_batched * 1000:.0f} ms, "
          f"one by one {t_single * 1000:.0f} ms ({t_single / 16 * 1000:.0f} ms/tile)")
    print(f"speed-up of the light SSD (end to end) over VGG16 tiles: {t_batched / t_full:.1f}x batched, "
          f"{t_single / t_full:.1f}x one by one (target >= 10x; film target < 500 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""IDBLL 2 (SqueezeNet-SSD, breast mask) against IDBLL 1.2 (light SSD) in one run: end-to-end time of
``Detector.detect`` on a 1024x1024 film, their ratio, and the size of each model file.

Usage: ``python benchmarks/bench_idbll2.py [--model DIR] [--repeats N] [--film PATH]``

``--model`` is an IDBLL 2 model folder (default: ``models/idbll-2`` if present). Without one, an
untrained SqueezeNet-SSD with the ImageNet weights and 1.2's card settings is built and saved in a
temporary folder: its cost is what is measured, not its findings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timing import median_seconds  # noqa: E402 (benchmarks/timing.py, beside this script)


def _untrained_idbll2(folder: Path) -> Path:
    from mammoviewer.detect import default_model_path
    from mammoviewer.detect.model import build_ssd
    from mammoviewer.detect.squeezenet import DEFAULT_WEIGHTS

    card = json.loads(default_model_path().with_name("model.json").read_text())
    card.update(name="idbll-2 (untrained, cost only)", version="2.0-bench", backbone="squeezenet", breast_mask=True)
    card.pop("training", None)
    build_ssd("squeezenet", backbone_weights=DEFAULT_WEIGHTS).save(folder / "model.keras")
    (folder / "model.json").write_text(json.dumps(card))
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="IDBLL 2 model folder (default: models/idbll-2)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--film", default=None, help="a 1024x1024 film (default: the MIAS sample)")
    args = parser.parse_args()

    from mammoviewer.keras_runtime import keras  # noqa: F401  (imports TensorFlow quietly)
    import tensorflow as tf

    from mammoviewer.detect import Detector
    from mammoviewer.io import load_image

    candidates = [args.film] if args.film else [ROOT / "resources" / "samples" / "mdb023.pgm",
                                                ROOT / ".." / "shared" / "data" / "mias" / "mdb023.png"]
    film = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    if film is None:
        print("bench_idbll2: no 1024x1024 film found; pass --film PATH", file=sys.stderr)
        return 2
    image = load_image(film)
    print(f"machine: {os.cpu_count()} CPU threads visible, TensorFlow {tf.__version__}; "
          f"film: {film} ({image.columns}x{image.rows})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.model) if args.model else ROOT / "models" / "idbll-2"
        if not (path / "model.keras").is_file():
            path = _untrained_idbll2(Path(tmp))
        times = {}
        for label, where in (("1.2", None), ("2", path)):
            det = Detector.load(where, device="cpu")
            t = median_seconds(lambda: det.detect(image, threshold=0.0), args.repeats)
            size = det.path.stat().st_size / 1e6
            times[label] = t
            print(f"IDBLL {label}: {det.name} {det.version}, backbone {det.card.get('backbone')}, "
                  f"{1 + len(det.tta)} forward passes, breast mask {'on' if det.breast_mask else 'off'}: "
                  f"detect() end to end {t * 1000:.1f} ms (median of {args.repeats}); model file {size:.1f} MB")
    print(f"IDBLL 2 / 1.2 time ratio: {times['2'] / times['1.2']:.1f}x "
          f"(targets: IDBLL 2 <= 300 ms a film on 2 cores, model file <= 25 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

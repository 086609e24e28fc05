"""The IDBLL 2 variants against IDBLL 1.2 in one run: end-to-end time of ``Detector.detect`` on a 1024x1024
film, the ratio to 1.2, and the size of each model file.

Usage: ``python benchmarks/bench_idbll2.py [--model DIR|squeezenet] [--repeats N] [--film PATH]``

Measured: 1.2 (the bundled network without breast mask or second stage), the bundled model as its card
says, the bundled network with the second stage (speck clusters at 0.2 mm and the re-scoring; a rule
that only passes the SSD score through, since its weights do not change the cost), and ``--model``:
a model folder, or ``squeezenet`` for an untrained SqueezeNet-SSD with the ImageNet weights and the
bundled card settings (its cost is what is measured, not its findings).
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
    card.pop("second_stage", None)
    build_ssd("squeezenet", backbone_weights=DEFAULT_WEIGHTS).save(folder / "model.keras")
    (folder / "model.json").write_text(json.dumps(card))
    return folder


def _first_stage_only(folder: Path) -> Path:
    from mammoviewer.detect import default_model_path

    card = json.loads(default_model_path().with_name("model.json").read_text())
    card.pop("second_stage", None)
    card.pop("scales", None)
    # 1.2's post-processing on the bundled network (1.4 has 1.2's architecture, so 1.2's cost)
    card.update(breast_mask=False, name="idbll-light", version="1.2 pipeline")
    os.symlink(default_model_path(), folder / "model.keras")
    (folder / "model.json").write_text(json.dumps(card))
    return folder


def _with_second_stage(folder: Path) -> Path:
    from mammoviewer.detect import default_model_path, second_stage

    card = json.loads(default_model_path().with_name("model.json").read_text())
    n = len(second_stage.FEATURES)
    card["second_stage"] = {"features": list(second_stage.FEATURES), "mean": [0.0] * n, "sd": [1.0] * n,
                            "weights": [1.0] + [0.0] * (n - 1), "bias": 0.0, "clusters": True}
    card.pop("scales", None)
    card.update(breast_mask=True, name="idbll-light + second stage (cost only)")
    os.symlink(default_model_path(), folder / "model.keras")
    (folder / "model.json").write_text(json.dumps(card))
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="IDBLL 2 model folder, or 'squeezenet' (default: the "
                                                      "bundled model)")
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
        base = Path(tmp)
        for sub in ("a", "b", "c"):
            (base / sub).mkdir()
        variants = [("1.2", _first_stage_only(base / "a")), ("bundled", ROOT / "models" / "idbll-light"),
                    ("second stage", _with_second_stage(base / "b"))]
        if args.model == "squeezenet":
            variants.append(("SqueezeNet-SSD", _untrained_idbll2(base / "c")))
        elif args.model:
            variants.append(("--model", Path(args.model)))
        times = {}
        for label, where in variants:
            det = Detector.load(where, device="cpu")
            t = median_seconds(lambda: det.detect(image, threshold=0.0), args.repeats)
            size = det.path.resolve().stat().st_size / 1e6
            times[label] = t
            print(f"{label}: {det.name} {det.version}, backbone {det.card.get('backbone')}, "
                  f"{(1 + len(det.tta)) * len(det.scales)} forward passes "
                  f"(scales {', '.join(f'{v:g}' for v in det.scales)}), breast mask {'on' if det.breast_mask else 'off'}, "
                  f"second stage {'on' if det.second_stage is not None else 'off'}: "
                  f"detect() end to end {t * 1000:.1f} ms (median of {args.repeats}); model file {size:.1f} MB")
    for label in list(times)[1:]:
        print(f"{label} / 1.2 time ratio: {times[label] / times['1.2']:.2f}x")
    print("targets: IDBLL 2 <= 300 ms a film on 2 cores, model file <= 25 MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``mammoviewer retrain --store S --model M --out M2``: fine-tune the detector on a store's reviewed films."""

from __future__ import annotations

import argparse
import json

from mammoviewer.cli.arguments import positive_float, positive_int
from mammoviewer.io.mias import DEFAULT_MIAS_DIR as DEFAULT_MIAS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="review store with films marked reviewed")
    parser.add_argument("--model", default=None, help="model to start from (default: the bundled model)")
    parser.add_argument("--out", required=True, help="folder for the new model (never the bundled one)")
    parser.add_argument("--epochs", type=positive_int, default=3)
    parser.add_argument("--steps", type=positive_int, default=40, help="batches per epoch")
    parser.add_argument("--batch-size", type=positive_int, default=8)
    parser.add_argument("--lr", type=positive_float, default=2e-4, help="learning rate")
    parser.add_argument("--images", default=None,
                        help=f"MIAS folder with the original training films (default: {DEFAULT_MIAS} if present)")
    parser.add_argument("--info", default=None, help="MIAS Info.txt (default: IMAGES/Info.txt)")
    parser.add_argument("--no-original", action="store_true", help="train on the reviewed films only")
    parser.add_argument("--holdout-fold", type=int, default=None,
                        help="fold of the model's split held out for the before/after check "
                             "(default: the model's own validation fold, else 0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the before/after figures as JSON")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.detect.finetune import FinetuneConfig, finetune

    images = None if args.no_original else (args.images or (str(DEFAULT_MIAS) if DEFAULT_MIAS.is_dir() else None))
    cfg = FinetuneConfig(store=args.store, model=args.model, out=args.out, images=images, info=args.info,
                         epochs=args.epochs, steps_per_epoch=args.steps, batch_size=args.batch_size,
                         learning_rate=args.lr, holdout_fold=args.holdout_fold, seed=args.seed)

    from mammoviewer.progress import Bar

    with Bar(100.0, "retrain", unit="%") as bar:
        report = finetune(cfg, lambda msg, frac: bar.to(round(100.0 * frac, 1), note=msg))
    summary = {
        "model": str(report.model_path), "reviewed_films": report.reviewed_films,
        "truth_boxes": report.truth_boxes, "hard_negatives": report.hard_negatives,
        "heldout_films": len(report.heldout_films),
        "before": {"sensitivity_at_1fp": report.before.get("froc", {}).get("1"),
                   "map_voc": report.before.get("map_voc")},
        "after": {"sensitivity_at_1fp": report.after.get("froc", {}).get("1"),
                  "map_voc": report.after.get("map_voc")},
        "not_worse": report.not_worse if report.heldout_films else None,
        "comparison": report.comparison, "bias": report.bias,
        "seconds": round(report.seconds, 1),
    }
    if args.json:
        from mammoviewer.detect.evaluation import clean

        print(json.dumps(clean(summary), indent=1))
    else:
        print(f"wrote {report.model_path} ({report.reviewed_films} reviewed films, {report.truth_boxes} boxes, "
              f"{report.hard_negatives} hard negatives, {report.seconds:.0f} s)")
        if report.heldout_films:
            b, a = summary["before"], summary["after"]
            print(f"held-out check on {len(report.heldout_films)} films: sensitivity@1FP "
                  f"{b['sensitivity_at_1fp']} -> {a['sensitivity_at_1fp']}, mAP {b['map_voc']} -> {a['map_voc']}"
                  f" ({'not worse' if report.not_worse else 'WORSE: keep the old model'})")
            print(f"compared on {report.comparison}" + (f"; BIASED: {report.bias}" if report.bias else ""))
        else:
            print("no held-out films were scored (no original data given)")
    return 0

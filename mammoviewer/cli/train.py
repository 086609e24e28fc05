"""``mammoviewer train``: train the IDBLL lesion detector on a MIAS folder."""

from __future__ import annotations

import argparse
import shlex
import sys

from mammoviewer.cli.arguments import non_negative_float, positive_float, positive_int, share
from mammoviewer.io.mias import DEFAULT_MIAS_DIR as DEFAULT_MIAS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--images", default=str(DEFAULT_MIAS), help="MIAS image folder (default: %(default)s)")
    parser.add_argument("--info", default=None, help="MIAS Info.txt (default: IMAGES/Info.txt)")
    parser.add_argument("--data", action="append", default=None, metavar="SOURCE",
                        help="a training source, repeatable: a MIAS folder (with Info.txt), a boxes CSV "
                             "(file,patient,...,x0,y0,x1,y1) or a folder holding boxes.csv, or a COCO .json; "
                             "replaces --images/--info")
    parser.add_argument("--source-weight", action="append", default=None, metavar="NAME=W",
                        help="how likely a film of source NAME (mias, or the CSV's/COCO's folder name) is drawn "
                             "for a crop, relative to the others' 1 (repeatable)")
    parser.add_argument("--init", default=None, metavar="MODEL",
                        help="start from this trained model's weights (same network), e.g. to fine-tune a MIAS + "
                             "DDSM model on MIAS; its training patients stay listed in the new card")
    parser.add_argument("--out", required=True, help="model folder to write, e.g. models/idbll-light")
    parser.add_argument("--backbone", choices=("light", "squeezenet", "vgg16"), default="light")
    parser.add_argument("--backbone-weights", default=None, metavar="H5",
                        help="squeezenet: ImageNet weights (HDF5) to start from (default: the shared "
                             "squeezenet_v1.1_imagenet_notop_tf.h5); they are copied into the saved model")
    parser.add_argument("--freeze", choices=("none", "conv1", "fire3", "fire5", "fire9"), default="fire3",
                        help="squeezenet: last pretrained block kept fixed in training (default: %(default)s)")
    parser.add_argument("--epochs", type=positive_int, default=30)
    parser.add_argument("--steps", type=positive_int, default=100, help="batches per epoch (default: %(default)s)")
    parser.add_argument("--batch-size", type=positive_int, default=16)
    parser.add_argument("--lr", type=positive_float, default=2e-3, help="peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-negatives", type=non_negative_float, default=8.0,
                        help="hard negatives per crop even without a lesion in it (default: %(default)s)")
    parser.add_argument("--focal-gamma", type=non_negative_float, default=0.0,
                        help="focal loss with this gamma over every anchor instead of hard negative mining "
                             "(default: 0, hard negative mining)")
    parser.add_argument("--label-weight", type=non_negative_float, default=1.0,
                        help="weight of the benign/malignant part of the loss against the lesion/background part "
                             "(default: %(default)s, the plain softmax cross-entropy)")
    parser.add_argument("--fold", default="none",
                        help="validation fold to hold out (0..FOLDS-1), or 'none' to train on every patient")
    parser.add_argument("--folds", type=positive_int, default=5)
    parser.add_argument("--split", default=None, help="split file to reuse (default: OUT/split.json, made if missing)")
    parser.add_argument("--pixel-mm", type=positive_float, default=0.4, help="model pixel size in mm")
    parser.add_argument("--crop", type=positive_int, default=256, help="training crop side in model pixels")
    parser.add_argument("--rotation", choices=("right", "any"), default="right",
                        help="augmenting rotations: by right angles only, or also by any angle (default: %(default)s)")
    parser.add_argument("--paste", type=share, default=0.0, metavar="F",
                        help="share (0..1) of the crops drawn without a lesion that get a lesion of another film "
                             "blended onto their tissue (default: 0, none)")
    parser.add_argument("--width", type=positive_float, default=1.0, help="channel multiplier of the light backbone")
    parser.add_argument("--inputs", default="film",
                        help="input planes, comma-separated, film first: film; tophat adds a plane of small bright "
                             "spots (calcifications) found at twice the model's resolution; contralateral adds the "
                             "patient's other breast (same view), mirrored and coarsely aligned")
    parser.add_argument("--cache-dir", default=".work/idbll-cache")
    parser.add_argument("--checkpoint-dir", default=None, help="resumable checkpoint (default under .work/checkpoints)")
    parser.add_argument("--name", default=None)
    parser.add_argument("--quiet", action="store_true")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mammoviewer.detect.sampler import CropConfig
    from mammoviewer.detect.training import TrainConfig, train
    from mammoviewer.errors import DetectorError

    fold = None if str(args.fold).lower() in ("none", "all") else int(args.fold)
    from mammoviewer.detect.preprocess import check_inputs

    try:
        inputs = check_inputs(p.strip() for p in str(args.inputs).split(",") if p.strip())
    except ValueError as exc:
        raise DetectorError(f"--inputs {args.inputs!r}: {exc}") from exc
    if args.backbone != "light" and inputs != ("film",):
        raise DetectorError(f"--inputs: the {args.backbone} backbone takes the film alone")
    if args.backbone_weights is not None and not Path(args.backbone_weights).is_file():
        raise DetectorError(f"{args.backbone_weights}: backbone weights file not found")
    weights = {}
    for item in args.source_weight or []:
        name, _, value = item.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise DetectorError(f"--source-weight {item!r}: expected NAME=WEIGHT, e.g. mias=3") from None
        if not name.strip() or not 0 <= weights[name.strip()] < 1e6:
            raise DetectorError(f"--source-weight {item!r}: expected NAME=WEIGHT with a weight >= 0")
    cfg = TrainConfig(
        data=tuple(args.data or ()), source_weights=weights, init=args.init,
        images=args.images, info=args.info or str(Path(args.images) / "Info.txt"), out=args.out,
        backbone=args.backbone, backbone_weights=args.backbone_weights,
        freeze=args.freeze if args.backbone == "squeezenet" else "none", epochs=args.epochs, steps_per_epoch=args.steps, batch_size=args.batch_size,
        learning_rate=args.lr, min_negatives=args.min_negatives, label_weight=args.label_weight,
        focal_gamma=args.focal_gamma, seed=args.seed,
        fold=fold, folds=args.folds, split=args.split, pixel_mm=args.pixel_mm, width=args.width, inputs=inputs,
        cache_dir=args.cache_dir, checkpoint_dir=args.checkpoint_dir, name=args.name,
        crop=CropConfig(size=args.crop, any_angle=args.rotation == "any", paste_fraction=args.paste),
        verbose=0 if args.quiet else 1,
    )
    command = "mammoviewer train " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    train(cfg, command=command)
    return 0

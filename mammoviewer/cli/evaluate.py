"""``mammoviewer evaluate``: FROC and AP of the detector on whole MIAS films (or k-fold CV)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mammoviewer.io.mias import DEFAULT_MIAS_DIR as DEFAULT_MIAS
from mammoviewer.progress import Bar, callback


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--images", default=str(DEFAULT_MIAS), help="MIAS image folder (default: %(default)s)")
    parser.add_argument("--info", default=None, help="MIAS Info.txt (default: IMAGES/Info.txt)")
    parser.add_argument("--data", action="append", default=None, metavar="SOURCE",
                        help="a data source, repeatable, as for train (a MIAS folder, a boxes CSV or a folder "
                             "holding one, a COCO .json); replaces --images/--info. With several sources the "
                             "figures are given per source under \"domains\"")
    parser.add_argument("--ids", default=None, help="file of film refs (mdbNNN) to evaluate, one per line")
    parser.add_argument("--model", default=None, help="model file or folder (default: the bundled model)")
    parser.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto")
    parser.add_argument("--tta", default=None, metavar="FLIPS",
                        help="test-time flips averaged with the film, overriding the model card: a comma list "
                             "of hflip, vflip, rot180, or 'none'")
    parser.add_argument("--folds", type=int, default=None,
                        help="cross-validate: evaluate CV_DIR/foldK/model.keras on fold K of the split")
    parser.add_argument("--cv-dir", default=".work/cv", help="folder of the fold models (default: %(default)s)")
    parser.add_argument("--split", default=None, help="split file (default: the model folder's split.json)")
    parser.add_argument("--update-card", action="store_true",
                        help="with --folds: write the 1 FP/image operating point and the CV figures into "
                             "the model card")
    parser.add_argument("--classifier", default=None, metavar="M",
                        help="case classifier model (default: the bundled one); its accuracy, sensitivity, "
                             "specificity, ROC AUCs and confusion matrix go under \"classification\"")
    parser.add_argument("--no-classifier", action="store_true", help="evaluate the detector only")
    parser.add_argument("--plots", default=None, metavar="DIR", help="write PR and FROC curves as PNG here")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output format)")


def _films(args):
    from mammoviewer.detect.data import mias_films
    from mammoviewer.errors import DetectorError

    if args.data:
        from mammoviewer.detect.sources import load_sources

        films = load_sources(args.data)
        mias_dirs = [d for d in args.data if Path(d).is_dir() and (Path(d) / "Info.txt").is_file()]
        if mias_dirs:  # the case score is figured on the MIAS films (normal films are only there)
            args.images, args.info = mias_dirs[0], str(Path(mias_dirs[0]) / "Info.txt")
    else:
        films = mias_films(args.images, args.info or str(Path(args.images) / "Info.txt"))
    if args.ids:
        try:
            wanted = {ln.split()[0] for ln in Path(args.ids).read_text().splitlines()
                      if ln.strip() and not ln.startswith("#")}
        except OSError as exc:
            raise DetectorError(f"{args.ids}: cannot read the ids file ({exc.strerror or exc})") from exc
        films = [f for f in films if f.ref in wanted]
        if not films:
            raise DetectorError(f"{args.ids}: none of its film refs is in {args.images}")
    return films


def _plots(result, out_dir: str, prefix: str = "") -> list[str]:
    from mammoviewer.detect import metrics as mt
    from mammoviewer.detect.plots import draw_curves

    written = []
    f = mt.froc(result.predictions, result.truths, result.n_images)
    curves = {"all lesions": f.curve()}
    classes = sorted({t.cls for t in result.truths})
    cls_arr = [t.cls for t in result.truths]
    for c in classes:
        curves[c] = f.curve(mask=__import__("numpy").array(cls_arr) == c)
    written.append(str(draw_curves(curves, Path(out_dir) / f"{prefix}froc.png", "FROC (whole films)",
                                   "false positives per image", "sensitivity", (0.0, 4.0))))
    pr = {}
    for lab in ("benign", "malignant"):
        p = mt.precision_recall(result.predictions, result.truths, lab)
        pr[f"{lab} AP={p.ap_all_point:.3f}"] = (p.recall, p.precision)
    written.append(str(draw_curves(pr, Path(out_dir) / f"{prefix}pr.png", "Precision-recall, IoU 0.5",
                                   "recall", "precision", (0.0, 1.0))))
    return written


def _with_tta(detector, tta: str | None):
    """``detector`` with the ``--tta`` flips (None keeps the card's)."""
    from mammoviewer.detect.postprocess import parse_flips
    from mammoviewer.errors import DetectorError

    if tta is not None:
        try:
            detector.tta = parse_flips(tta)
        except ValueError as exc:
            raise DetectorError(f"--tta: {exc}") from exc
    return detector


def _classification(args, films, detector, result) -> dict:
    """Case-score figures on the same films (see ``mammoviewer.classify.evaluate``), from the
    detections ``result`` already made on them."""
    from mammoviewer.classify.evaluate import evaluate_classifier

    scores: dict[str, list[float]] = {f.ref: [] for f in films}
    for p in result.predictions:
        scores[p.film].append(p.score)
    return evaluate_classifier(args.images, args.info or str(Path(args.images) / "Info.txt"),
                               ids=[f.ref for f in films], model=args.classifier, plots_dir=args.plots,
                               detector=detector, detector_scores=scores)


def _training_patients_warning(detector, own: int, films: int) -> str | None:
    """The headline when some evaluated films are of patients the model was trained on (None if none are)."""
    if not own:
        return None
    return (f"{own} of {films} evaluated films are of patients {detector.name} {detector.version} was trained "
            "on; these figures overstate how it does on new patients (evaluate its held-out patients with "
            "--ids, or cross-validate with --folds)")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.detect import Detector
    from mammoviewer.detect import evaluation as ev
    from mammoviewer.detect.data import load_split
    from mammoviewer.detect.detector import resolve_model_paths
    from mammoviewer.detect.domains import domain_summaries, films_of_training_patients, subset
    from mammoviewer.errors import DetectorError

    films = _films(args)
    if args.folds is None:
        detector = _with_tta(Detector.load(args.model, device=args.device), args.tta)
        own = films_of_training_patients(detector, films)
        warning = _training_patients_warning(detector, own, len(films))
        if warning:
            print(f"mammoviewer: WARNING: {warning}", file=sys.stderr, flush=True)
        with Bar(len(films), "evaluate") as bar:
            result = ev.predict_films(detector, films, progress=callback(bar))
        domains = sorted({f.domain for f in films})
        if len(domains) == 1:
            summary = ev.evaluate(result) if domains == ["mias"] else domain_summaries(result, films)[domains[0]]
        else:
            summary = {"domains": domain_summaries(result, films)}
        summary.pop("films_of_training_patients", None)
        doc = {"model": f"{detector.name} {detector.version}", "device": detector.device,
               **({"warning": warning} if warning else {}), "films_of_training_patients": own, **summary}
        mias_films_ = [f for f in films if f.domain == "mias"]
        if args.plots:
            doc["plots"] = _plots(subset(result, {f.ref for f in mias_films_}) if mias_films_ else result, args.plots)
        if not args.no_classifier and mias_films_:
            doc["classification"] = _classification(args, mias_films_, detector,
                                                    subset(result, {f.ref for f in mias_films_}))
        print(json.dumps(ev.clean(doc), indent=1))
        return 0

    from mammoviewer.research import detector_cv

    model_path, card_path = resolve_model_paths(args.model)
    split = load_split(args.split or model_path.parent / "split.json")
    if args.folds != len(split["folds"]):
        raise DetectorError(f"--folds {args.folds} but the split has {len(split['folds'])} folds")
    doc, pooled = detector_cv.cross_validate(
        films, split, args.cv_dir, lambda path: _with_tta(Detector.load(path, device=args.device), args.tta))
    if args.plots:
        doc["plots"] = _plots(pooled, args.plots, prefix="cv_")
    if args.update_card:
        detector_cv.update_card(card_path, doc)
    print(json.dumps(ev.clean(doc), indent=1))
    return 0

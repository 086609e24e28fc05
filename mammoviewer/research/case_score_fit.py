"""Fit and cross-validate the combined case score (``mammoviewer.classify.combined``).

Every film is scored by the detector fold model that never saw its patient and by the
classifier's out-of-fold probabilities (``crossval`` output), so every feature is out of fold.
For each fold the logistic rule and its operating point are fitted on the other four folds
only and scored on the held-out fold; the rule written to the card is then fitted on all films.
The contralateral rule (the film's top-k sum minus that of the patient's other film) is fitted
and cross-validated the same way and written under ``"case_score"["contralateral"]``::

    python -m mammoviewer.research.case_score_fit --cv .work/classify-cv/p64w32e60/cv.json \\
        --detector .work/cv/fold0 ... --detector .work/cv/fold4 --tta hflip --out combine.json \\
        [--card models/case-classifier/card.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mammoviewer.classify import data as cdata
from mammoviewer.classify.combined import CARD_KEY, PAIRED_KEY, CombinedRule, fit_logistic
from mammoviewer.research.case_score_compare import held_out_fold
from mammoviewer.classify.metrics import CLASSES, summarise
from mammoviewer.detect.postprocess import parse_flips
from mammoviewer.io.mias import DEFAULT_MIAS_DIR
from mammoviewer.io.pairing import mias_partner

#: operating point: this quantile of the fitting films' normal p(abnormal) (specificity target 0.8)
NORMAL_QUANTILE = 0.8
METRICS = ("auc_normal_vs_abnormal", "auc_malignant_vs_rest", "accuracy", "sensitivity", "specificity")


def detector_scores(detector_paths: list[str], films: list[cdata.CaseFilm],
                    tta: tuple[str, ...] | None = None) -> dict[str, tuple[int, list[float]]]:
    """``{ref: (fold, every candidate score)}`` from the fold model that held each film's fold out
    (with test-time flips ``tta``; None keeps each model card's)."""
    from mammoviewer.detect import Detector
    from mammoviewer.io import load_image

    out: dict[str, tuple[int, list[float]]] = {}
    detectors = []
    for path in detector_paths:
        det = Detector.load(path, device="cpu")
        if tta is not None:
            det.tta = tta
        fold, trained_on = held_out_fold(det.card)
        if fold is None:
            raise SystemExit(f"{path}: its card names no held-out fold; only cross-validation models can be used")
        detectors.append((fold, trained_on, det))
    for fold, trained_on, det in detectors:
        for film in films:
            if film.ref in out or (trained_on is not None and film.patient in trained_on):
                continue
            out[film.ref] = (fold, [d.score for d in det.detect(load_image(film.path), threshold=0.0)])
    return out


#: ref -> (fold, finding scores, classifier probabilities, class index, the other film's finding scores)
Features = dict[str, tuple[int, list[float], dict[str, float], int, "list[float] | None"]]


def _rule(scores: list[list[float]], others: list, labels: np.ndarray, top_k: int, contralateral: bool) -> CombinedRule:
    probe = CombinedRule(slope=1.0, intercept=0.0, top_k=top_k, contralateral=contralateral)
    x = [probe.detector_score(s, o) for s, o in zip(scores, others)]
    slope, intercept = fit_logistic(x, labels > 0)
    rule = CombinedRule(slope=slope, intercept=intercept, top_k=top_k, contralateral=contralateral)
    normal_p = [rule.p_abnormal(s, o) for s, o, y in zip(scores, others, labels) if y == 0]
    return CombinedRule(slope, intercept, top_k, float(np.quantile(normal_p, NORMAL_QUANTILE)), contralateral)


def cross_validate(features: Features, top_k: int = 3, contralateral: bool = False) -> dict:
    """Per-fold figures of the rule fitted on the other folds (``features``: see :data:`Features`;
    a ``contralateral`` rule uses only films whose other film was scored)."""
    refs = sorted(r for r in features if not contralateral or features[r][4] is not None)
    folds = np.array([features[r][0] for r in refs])
    labels = np.array([features[r][3] for r in refs])

    def fit(idx: list[int]) -> CombinedRule:
        return _rule([features[refs[i]][1] for i in idx], [features[refs[i]][4] for i in idx], labels[idx],
                     top_k, contralateral)

    per_fold = []
    for k in sorted(set(folds.tolist())):
        rule = fit([i for i in range(len(refs)) if folds[i] != k])
        test = [i for i in range(len(refs)) if folds[i] == k]
        probs = np.array([[rule.probabilities(features[refs[i]][1], features[refs[i]][2], features[refs[i]][4])[c]
                           for c in CLASSES] for i in test])
        figures = summarise(labels[test], probs, rule.threshold)
        figures.update(fold=int(k), rule=rule.to_card())
        per_fold.append(figures)
    mean_sd = {m: {"mean": float(np.mean([f[m] for f in per_fold])),
                   "sd": float(np.std([f[m] for f in per_fold], ddof=1)) if len(per_fold) > 1 else 0.0}
               for m in METRICS}
    final = fit(list(range(len(refs))))
    return {"folds": per_fold, "mean_sd": mean_sd, "rule": final.to_card(), "films": len(refs),
            "top_k": top_k, "normal_quantile": NORMAL_QUANTILE}


def _card_block(result: dict, tta: list[str] | None) -> dict:
    return dict(result["rule"], detector_tta=tta,
                cross_validation={"mean_sd": result["mean_sd"], "films": result["films"],
                                  "folds": [{m: f[m] for m in (*METRICS, "fold")} for f in result["folds"]]})


def _detector_name(folder: str | None) -> str:
    """"name version" of the detector in ``folder`` (default: the bundled one), from its card."""
    from mammoviewer.detect.run import model_identity

    ident = model_identity(folder)
    return f"{ident.name} {ident.version}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.case_score_fit", description=__doc__.split("\n")[0])
    ap.add_argument("--cv", required=True, help="classifier cross-validation JSON (out-of-fold probabilities)")
    ap.add_argument("--detector", action="append", required=True, help="detector fold model (repeat per fold)")
    ap.add_argument("--images", default=str(DEFAULT_MIAS_DIR))
    ap.add_argument("--info", default=None)
    ap.add_argument("--top-k", type=int, default=3)
    ap.add_argument("--tta", default=None, help="test-time flips of the detector, as the bundled card has them "
                                                 "(comma list, e.g. hflip; 'none' for none)")
    ap.add_argument("--out", required=True, help="where to write the figures (JSON)")
    ap.add_argument("--card", default=None, help="write the final rule and figures into this card.json")
    ap.add_argument("--for-model", default=None, metavar="FOLDER",
                    help="the detector the rule is for, named in the card (default: the bundled model)")
    args = ap.parse_args(argv)
    try:
        tta = None if args.tta is None else parse_flips(args.tta)
    except ValueError as exc:
        ap.error(f"--tta: {exc}")
    try:
        oof = json.loads(Path(args.cv).read_text())["out_of_fold_probabilities"]
    except (OSError, ValueError, KeyError) as exc:
        ap.error(f"{args.cv}: not a readable classifier cross-validation file ({type(exc).__name__}: {exc})")
    films = cdata.case_films(args.images, args.info or str(Path(args.images) / "Info.txt"), ids=sorted(oof["films"]))
    scores = detector_scores(args.detector, films, tta)
    rank = {c: i for i, c in enumerate(CLASSES)}
    features = {f.ref: (scores[f.ref][0], scores[f.ref][1], dict(zip(oof["classes"], oof["films"][f.ref])),
                        rank[f.label], scores[mias_partner(f.ref)][1] if mias_partner(f.ref) in scores else None)
                for f in films if f.ref in scores}
    result = cross_validate(features, args.top_k)
    paired = cross_validate(features, args.top_k, contralateral=True)
    tta_list = list(tta) if tta is not None else None
    result.update(detectors=list(args.detector), detector_tta=tta_list, classifier_cv=str(args.cv),
                  contralateral=paired)
    Path(args.out).write_text(json.dumps(result, indent=1))
    for name, r in (("single film", result), ("with the other breast", paired)):
        print(f"{name} ({r['films']} films): " + ", ".join(f"{m} {v['mean']:.3f} ± {v['sd']:.3f}"
                                                         for m, v in r["mean_sd"].items()))
        print("  rule:", r["rule"])
    if args.card:
        card_path = Path(args.card)
        card = json.loads(card_path.read_text())
        block = dict(card.get(CARD_KEY) or {})  # keeps notes the card has
        block.update(_card_block(result, tta_list), **{PAIRED_KEY: _card_block(paired, tta_list)})
        block["fitted_with_detector"] = _detector_name(args.for_model)
        block["detector_fold_models"] = list(args.detector)
        card[CARD_KEY] = block
        card_path.write_text(json.dumps(card, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

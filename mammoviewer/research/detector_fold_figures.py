"""Figures of detector fold models on their held-out MIAS patients, fold by fold, with and without
the breast mask, from one detection pass per film.

Beyond ``mammoviewer evaluate`` (whose ``summarise`` figures it repeats, same code): the
class-agnostic lesion AP@0.5 (every box and square labelled "lesion"), and the case-score AUC
normal vs abnormal of the shipped case score's ranking feature (the sum of the film's 3 best
finding scores, minus the other breast's when its film is in the set: ``io.pairing.mias_partner``);
a logistic refit of that feature on other folds is monotone, so this AUC is the refitted score's.

    python -m mammoviewer.research.detector_fold_figures --cv-dir .work/cv-sq --folds 0,1 --out figures.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def lesion_ap(predictions, truths) -> dict:
    """Class-agnostic AP@0.5 (VOC all-point and 20-point) over every box."""
    from dataclasses import replace

    from mammoviewer.detect import metrics as mt

    pr = mt.precision_recall([replace(p, label="lesion") for p in predictions],
                             [replace(t, label="lesion") for t in truths], "lesion")
    return {"ap_voc": pr.ap_all_point, "ap_20pt": pr.ap_20_point}


def case_auc(predictions, films, top: int = 3) -> dict:
    """AUC normal vs abnormal of the top-``top`` sum, single film and minus the other breast's."""
    from mammoviewer.classify.metrics import auc
    from mammoviewer.io.pairing import mias_partner

    scores = {f.ref: [] for f in films}
    for p in predictions:
        scores[p.film].append(p.score)
    s = {r: float(np.sum(sorted(v, reverse=True)[:top])) for r, v in scores.items()}
    abnormal = np.array([f.worst != "normal" for f in films])  # unlocated findings count as abnormal
    single = np.array([s[f.ref] for f in films])
    paired = np.array([s[f.ref] - s.get(mias_partner(f.ref) or "", 0.0) for f in films])
    return {"single_film": auc(abnormal, single), "other_breast": auc(abnormal, paired),
            "films": len(films), "abnormal": int(abnormal.sum())}


def fold_figures(detector, films, mask_filter: bool) -> dict:
    """``summarise`` figures + lesion AP + case AUC for ``films``; ``mask_filter`` drops findings off the breast."""
    from mammoviewer.detect import evaluation as ev
    from mammoviewer.detect import metrics as mt
    from mammoviewer.detect.breast_mask import breast_mask, centres_inside
    from mammoviewer.detect.preprocess import to_model_frame
    from mammoviewer.io import load_image

    detector.breast_mask = False
    preds, kept = [], []
    for f in films:
        image = load_image(f.path)
        found = detector.detect(image, threshold=0.0)
        mi = detector.last_input
        valid = (int(round(mi.height * mi.scale_y)), int(round(mi.width * mi.scale_x)))
        mask = breast_mask(mi.array, detector.pixel_size_mm, valid=valid)
        inside = centres_inside(to_model_frame(np.array([d.box for d in found]).reshape(-1, 4), mi), mask)
        for d, i in zip(found, inside):
            p = mt.Prediction(f.ref, d.box, d.label, d.score)
            preds.append(p)
            if i:
                kept.append(p)
    out = {}
    for name, chosen in (("no_mask", preds), ("breast_mask", kept)):
        res = ev.FilmResult(chosen, ev.truths_of(films), len(films), 0.0)
        doc = ev.evaluate(res)
        doc["lesion_ap"] = lesion_ap(chosen, res.truths)
        doc["case_auc"] = case_auc(chosen, films)
        out[name] = doc
    out["predictions"] = [[p.film, list(p.box), p.label, p.score] for p in preds]
    out["inside_breast"] = [p in set(kept) for p in preds]
    return out


def main(argv: list[str] | None = None) -> int:
    from mammoviewer.detect import Detector
    from mammoviewer.detect import evaluation as ev
    from mammoviewer.detect.data import fold_refs, load_split, mias_films
    from mammoviewer.io import mias
    from mammoviewer.io.mias import DEFAULT_MIAS_DIR

    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.detector_fold_figures")
    ap.add_argument("--cv-dir", required=True)
    ap.add_argument("--folds", default="0,1")
    ap.add_argument("--split", default="models/idbll-light/split.json")
    ap.add_argument("--images", default=str(DEFAULT_MIAS_DIR))
    ap.add_argument("--out", required=True)
    ap.add_argument("--without-other-film", action="store_true",
                    help="a model taking the contralateral plane is run as if no film of the other breast were found")
    args = ap.parse_args(argv)
    films = mias_films(args.images, str(Path(args.images) / "Info.txt"))
    split = load_split(args.split)
    doc = {}
    for k in (int(x) for x in args.folds.split(",")):
        _, val = fold_refs(split, k)
        fold_films = [f for f in films if f.ref in val]
        det = Detector.load(ev.fold_model_path(args.cv_dir, k).parent, device="cpu")
        det.use_other_film = not args.without_other_film
        seen = set(det.card.get("training", {}).get("train_patients", []))
        assert not any(mias.patient_of(f.ref) in seen for f in fold_films), f"fold {k}: trained on its patients"
        doc[str(k)] = fold_figures(det, fold_films, True)
        print(f"fold {k}: " + ", ".join(
            f"{m}: sens@1FP {doc[str(k)][m]['froc']['1']:.3f} mAP {doc[str(k)][m]['map_voc']:.3f} "
            f"lesionAP {doc[str(k)][m]['lesion_ap']['ap_voc']:.3f} AUC {doc[str(k)][m]['case_auc']['other_breast']:.3f}"
            for m in ("no_mask", "breast_mask")), flush=True)
    Path(args.out).write_text(json.dumps(ev.clean(doc), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

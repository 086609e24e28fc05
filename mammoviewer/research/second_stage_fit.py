"""Fit and cross-validate the detector's second stage (``mammoviewer.detect.second_stage``).

Every film's candidates come from the fold model that never saw its patient (out of fold). For each fold K
the rule is fitted on the other folds' candidates only and written, with the fold model, to
``OUT/foldK/`` (model card ``"second_stage"``), so ``mammoviewer evaluate --cv-dir OUT`` scores the whole
detector the standard way; the rule for the bundled model is fitted on every fold's candidates::

    python -m mammoviewer.research.second_stage_fit --cv-dir .work/cv --out .work/cv-second \\
        [--l2 1.0] [--no-clusters] [--card models/idbll-light/model.json]

A candidate's label is 1 when it hits a lesion of its film by the FROC rule (centre inside the circle, or
IoU >= 0.3 with its square). The figures printed compare, fold by fold on the same candidates, the SSD's
own scores with the re-scored ones.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import sys
from pathlib import Path

import numpy as np

from mammoviewer.detect import metrics as mt
from mammoviewer.detect import second_stage as st
from mammoviewer.detect.data import mias_films
from mammoviewer.detect.logistic import LogisticRule, fit
from mammoviewer.io.mias import DEFAULT_MIAS_DIR

#: the rule written to a card keeps these figures of how it was fitted
FIT_KEYS = ("l2", "clusters", "candidates", "positives")


def collect(cv_dir: Path, split: dict, films, cache: Path, folds: list[int] | None = None) -> list[dict]:
    """Per film: its fold, the SSD's findings (what the first stage alone reports) and the candidates.
    Each fold's are kept in ``cache/candidates-foldK.pkl`` and reused."""
    from mammoviewer.detect import Detector
    from mammoviewer.detect.evaluation import fold_model_path, train_patients
    from mammoviewer.io import load_image, mias

    by_ref = {f.ref: f for f in films}
    rows: list[dict] = []
    for k, fold in enumerate(split["folds"]):
        if folds is not None and k not in folds:
            continue
        path = cache / f"candidates-fold{k}.pkl"
        if path.is_file():
            rows += pickle.loads(path.read_bytes())
            continue
        det = Detector.load(fold_model_path(cv_dir, k), device="cpu")
        det.second_stage = None
        seen = train_patients(det)
        got = []
        for ref in fold["films"]:
            f = by_ref.get(ref)
            if f is None:
                continue
            if mias.patient_of(ref) in seen:
                raise SystemExit(f"fold {k}: its model was trained on {ref}'s patient")
            first = det.first_stage(load_image(f.path), for_second_stage=True)
            mi = first.input
            c = st.candidates(mi.rendered, mi.spacing_mm, first.breast, first.boxes, first.classes, first.scores)
            got.append({"ref": ref, "fold": k, "ssd": (first.boxes, first.classes, first.scores), "cands": c})
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(got))
        rows += got
        print(f"fold {k}: candidates of {len(got)} films collected", file=sys.stderr)
    return rows


def labels_of(row: dict, truths: dict[str, np.ndarray]) -> np.ndarray:
    t = truths.get(row["ref"])
    boxes = row["cands"].boxes
    if t is None or len(t) == 0:
        return np.zeros(len(boxes))
    return np.array([float(mt.hits(b, t).any()) for b in boxes])


def _select(row: dict, clusters: bool) -> np.ndarray:
    return np.ones(len(row["cands"].boxes), bool) if clusters else ~row["cands"].is_cluster


def fit_rule(rows: list[dict], truths: dict[str, np.ndarray], l2: float, clusters: bool,
             features: tuple[str, ...] = st.FEATURES) -> LogisticRule:
    """The rule fitted on ``rows``' candidates, using ``features`` only (the others get weight 0)."""
    idx = [st.FEATURES.index(f) for f in features]
    x = np.concatenate([r["cands"].features[_select(r, clusters)][:, idx] for r in rows])
    y = np.concatenate([labels_of(r, truths)[_select(r, clusters)] for r in rows])
    part = fit(x, y, tuple(features), l2=l2)
    mean, sd, w = np.zeros(len(st.FEATURES)), np.ones(len(st.FEATURES)), np.zeros(len(st.FEATURES))
    mean[idx], sd[idx], w[idx] = part.mean, part.sd, part.weights
    return LogisticRule(st.FEATURES, tuple(mean), tuple(sd), tuple(w), part.bias)


def predictions(rows: list[dict], rule: LogisticRule | None, clusters: bool, containment: float | None,
                labels: tuple[str, ...]) -> list[mt.Prediction]:
    """The findings of ``rows``: the SSD's own (``rule`` None) or the second stage's."""
    out = []
    for r in rows:
        if rule is None:
            b, c, s = r["ssd"]
        else:
            cand = r["cands"]
            keep = _select(r, clusters)
            cand = st.Candidates(cand.boxes[keep], cand.classes[keep], cand.ssd_scores[keep], cand.is_cluster[keep],
                                 cand.features[keep])
            b, c, s = st.rescore(cand, rule, containment, 100)
        out += [mt.Prediction(r["ref"], tuple(map(float, bb)), labels[int(cc) - 1], float(ss))
                for bb, cc, ss in zip(b, c, s)]
    return out


def cluster_predictions(rows: list[dict], rule: LogisticRule, labels: tuple[str, ...]) -> list[mt.Prediction]:
    """The speck-cluster candidates alone, scored by ``rule``: what the 0.2 mm path finds by itself."""
    out = []
    for r in rows:
        c = r["cands"]
        s = rule.probability(c.features[c.is_cluster])
        out += [mt.Prediction(r["ref"], tuple(map(float, b)), labels[int(k) - 1], float(v))
                for b, k, v in zip(c.boxes[c.is_cluster], c.classes[c.is_cluster], s)]
    return out


def figures(preds: list[mt.Prediction], truths: list[mt.Truth], n: int) -> dict:
    s = mt.summarise(preds, truths, n)
    return {"froc": s["froc"], "map_voc": s["map_voc"],
            "calc_1fp": s["froc_by_class"].get("CALC", {}).get("1"),
            "arch_1fp": s["froc_by_class"].get("ARCH", {}).get("1"), "threshold_at_1fp": s["threshold_at_1fp"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.second_stage_fit", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv-dir", required=True, help="fold models foldK/model.keras")
    ap.add_argument("--split", default="models/idbll-light/split.json")
    ap.add_argument("--images", default=str(DEFAULT_MIAS_DIR))
    ap.add_argument("--out", required=True, help="folder for the fold models with their fold's rule")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--no-clusters", action="store_true", help="re-score the SSD's boxes only")
    ap.add_argument("--features", default=",".join(st.FEATURES),
                    help="comma-separated features the rule may use (the others get weight 0; default: all)")
    ap.add_argument("--cache", help="folder of the candidates cache (default OUT)")
    ap.add_argument("--collect-only", type=int, nargs="*", metavar="K",
                    help="only collect (and cache) the candidates of these folds")
    ap.add_argument("--card", help="also write the rule fitted on every fold into this model card")
    a = ap.parse_args(argv)
    features = tuple(f.strip() for f in a.features.split(",") if f.strip())
    unknown = [f for f in features if f not in st.FEATURES]
    if unknown or not features:
        ap.error(f"--features: unknown {unknown} (known: {', '.join(st.FEATURES)})")
    out, cv_dir = Path(a.out), Path(a.cv_dir)
    split = json.loads(Path(a.split).read_text())
    films = mias_films(a.images, Path(a.images) / "Info.txt")
    truths = {f.ref: np.array([l.box for l in f.lesions], dtype=np.float64).reshape(-1, 4) for f in films}
    cache = Path(a.cache) if a.cache else out
    if a.collect_only is not None:
        collect(cv_dir, split, films, cache, a.collect_only)
        return 0
    rows = collect(cv_dir, split, films, cache)
    card0 = json.loads((cv_dir / "fold0" / "model.json").read_text())
    containment, labels = card0.get("containment"), tuple(card0.get("labels", ("benign", "malignant")))
    clusters = not a.no_clusters
    report: dict = {"l2": a.l2, "clusters": clusters, "features": list(features), "per_fold": []}
    pooled_ssd, pooled_new, pooled_cl, all_truths = [], [], [], []
    for k in range(len(split["folds"])):
        held = [r for r in rows if r["fold"] == k]
        rule = fit_rule([r for r in rows if r["fold"] != k], truths, a.l2, clusters, features)
        t = [mt.Truth(f.ref, l.box, l.label, l.cls) for f in films if f.ref in {r["ref"] for r in held}
             for l in f.lesions]
        p_ssd, p_new = predictions(held, None, clusters, containment, labels), \
            predictions(held, rule, clusters, containment, labels)
        report["per_fold"].append({"fold": k, "ssd": figures(p_ssd, t, len(held)),
                                   "second_stage": figures(p_new, t, len(held))})
        if clusters:
            p_cl = cluster_predictions(held, rule, labels)
            report["per_fold"][-1]["clusters_alone"] = figures(p_cl, t, len(held))
            pooled_cl += p_cl
        pooled_ssd += p_ssd
        pooled_new += p_new
        all_truths += t
        dest = out / f"fold{k}"
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cv_dir / f"fold{k}" / "model.keras", dest / "model.keras")
        card = json.loads((cv_dir / f"fold{k}" / "model.json").read_text())
        card["second_stage"] = {**rule.to_dict(), "clusters": clusters}
        (dest / "model.json").write_text(json.dumps(card, indent=1) + "\n")
        f = report["per_fold"][-1]
        print(f"fold {k}: sens@1FP {f['ssd']['froc']['1']:.3f} -> {f['second_stage']['froc']['1']:.3f}, "
              f"mAP {f['ssd']['map_voc']:.3f} -> {f['second_stage']['map_voc']:.3f}, CALC@1FP "
              f"{f['ssd']['calc_1fp']} -> {f['second_stage']['calc_1fp']}")
    n = len(rows)
    report["pooled"] = {"ssd": figures(pooled_ssd, all_truths, n), "second_stage": figures(pooled_new, all_truths, n)}
    if clusters:
        report["pooled"]["clusters_alone"] = figures(pooled_cl, all_truths, n)
    for key in ("ssd", "second_stage"):
        vals = [f[key]["froc"]["1"] for f in report["per_fold"]]
        report[f"{key}_sens_1fp_mean_sd"] = [float(np.mean(vals)), float(np.std(vals, ddof=1))]
    print(json.dumps({k: report[k] for k in ("ssd_sens_1fp_mean_sd", "second_stage_sens_1fp_mean_sd")}))
    (out / "report.json").write_text(json.dumps(report, indent=1, default=float) + "\n")
    if a.card:
        rule = fit_rule(rows, truths, a.l2, clusters, features)
        card_path = Path(a.card)
        card = json.loads(card_path.read_text())
        card["second_stage"] = {**rule.to_dict(), "clusters": clusters}
        card["second_stage_fit"] = {"l2": a.l2, "clusters": clusters, "features": list(features), "candidates": int(sum(len(r["cands"].boxes)
                                    for r in rows)), "films": n, "source": "out-of-fold candidates of the fold models"}
        card["default_threshold"] = round(float(report["pooled"]["second_stage"]["threshold_at_1fp"]), 4)
        card_path.write_text(json.dumps(card, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Patient-level k-fold cross-validation of the case classifier, and training the bundled model.

    python -m mammoviewer.classify.crossval --out .work/classify-cv [--final models/case-classifier]

Every figure comes from films of patients the fold's model never saw. The operating threshold
on the abnormal score (1 - p(normal)) is fixed in advance (``--threshold``, default 0.5), not tuned
on the validation films.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from mammoviewer.classify import data as cdata
from mammoviewer.classify.metrics import CLASSES, summarise
from mammoviewer.classify.model import ModelSettings
from mammoviewer.classify.training import TrainSettings, predict, train

ROOT = Path(__file__).resolve().parents[2]
DETECTOR_SPLIT = ROOT / "models" / "idbll-light" / "split.json"
OWN_SPLIT = ROOT / "models" / "case-classifier" / "split.json"


def choose_split(films: list[cdata.CaseFilm], split_path: str | None) -> tuple[dict, str]:
    """The given split file, else the detector's, else our own (written to ``OWN_SPLIT``)."""
    for cand in [Path(split_path)] if split_path else [DETECTOR_SPLIT, OWN_SPLIT]:
        if cand.is_file():
            return cdata.load_split(cand), str(cand)
    split = cdata.make_split(films, folds=5, seed=0)
    cdata.save_split(split, OWN_SPLIT)
    return split, str(OWN_SPLIT)


def mean_sd(values: list[float]) -> dict:
    v = np.asarray(values, dtype=np.float64)
    return {"mean": float(np.nanmean(v)), "sd": float(np.nanstd(v, ddof=1)) if v.size > 1 else 0.0}


def cross_validate(films, x, split: dict, s: TrainSettings, threshold: float, log=print) -> dict:
    """Train one model per fold; JSON-ready per-fold and pooled figures plus out-of-fold probabilities."""
    refs = [f.ref for f in films]
    y = np.array([f.label_index for f in films])
    index = {r: i for i, r in enumerate(refs)}
    folds, oof = [], {}
    for k, fold in enumerate(split["folds"]):
        val = [index[r] for r in fold["films"] if r in index]
        val_set = set(val)
        tr = [i for i in range(len(refs)) if i not in val_set]
        t = time.perf_counter()
        model, hist = train(x[tr], y[tr], s)
        p = predict(model, x[val])
        fig = summarise(y[val], p, threshold)
        fig.update(fold=k, seconds=round(time.perf_counter() - t, 1), final_loss=hist["loss"][-1])
        folds.append(fig)
        log(f"fold {k}: AUC n/a {fig['auc_normal_vs_abnormal']:.3f} m/r {fig['auc_malignant_vs_rest']:.3f} "
            f"acc {fig['accuracy']:.3f} sens {fig['sensitivity']:.3f} spec {fig['specificity']:.3f} "
            f"({fig['seconds']} s, loss {hist['loss'][0]:.3f}->{hist['loss'][-1]:.3f})")
        for i, pi in zip(val, p):
            oof[refs[i]] = [float(v) for v in pi]
    keys = ("auc_normal_vs_abnormal", "auc_malignant_vs_rest", "accuracy", "sensitivity", "specificity")
    pooled_refs = sorted(oof)
    pooled = summarise(np.array([y[index[r]] for r in pooled_refs]), np.array([oof[r] for r in pooled_refs]), threshold)
    return {
        "folds": folds,
        "mean_sd": {k: mean_sd([f[k] for f in folds]) for k in keys},
        "pooled": pooled,
        "out_of_fold_probabilities": {"classes": list(CLASSES), "films": oof},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.classify.crossval", description=__doc__.split("\n")[0])
    ap.add_argument("--images", default=str(ROOT.parent / "shared" / "data" / "mias"))
    ap.add_argument("--info", default=None, help="MIAS Info.txt (default: IMAGES/Info.txt)")
    ap.add_argument("--split", default=None, help="split file (default: the detector's, else our own)")
    ap.add_argument("--out", required=True, help="folder for cv.json")
    ap.add_argument("--cache", default=str(ROOT / ".work" / "classify-cache"))
    ap.add_argument("--epochs", type=int, default=TrainSettings().epochs)
    ap.add_argument("--lr", type=float, default=TrainSettings().learning_rate)
    ap.add_argument("--pixel-mm", type=float, default=0.8)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--width", type=int, default=ModelSettings().width)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1, help="TensorFlow CPU threads")
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    ap.add_argument("--final", default=None, help="also train on every film and save the model here")
    a = ap.parse_args(argv)

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    info = a.info or str(Path(a.images) / "Info.txt")
    films = cdata.case_films(a.images, info)
    x = cdata.load_prepared(films, a.cache, a.pixel_mm, a.size)
    s = TrainSettings(epochs=a.epochs, learning_rate=a.lr, model=ModelSettings(size=a.size, width=a.width))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    if not a.no_cv:
        split, split_path = choose_split(films, a.split)
        log(f"{len(films)} films, split {split_path}, {a.epochs} epochs, {a.size}px at {a.pixel_mm} mm")
        res = cross_validate(films, x, split, s, a.threshold, log)
        res.update(split=split_path, pixel_mm=a.pixel_mm, size=a.size, settings={"epochs": a.epochs, "learning_rate": a.lr, "width": a.width, "threshold": a.threshold})
        (out / "cv.json").write_text(json.dumps(res, indent=1) + "\n")
        ms = res["mean_sd"]
        log("mean ± sd: " + ", ".join(f"{k} {v['mean']:.3f} ± {v['sd']:.3f}" for k, v in ms.items()))
    if a.final:
        from mammoviewer.classify.classifier import save_classifier

        y = np.array([f.label_index for f in films])
        model, hist = train(x, y, s)
        save_classifier(model, a.final, pixel_mm=a.pixel_mm, size=a.size, threshold=a.threshold,
                        trained_on=[f.ref for f in films], history=hist)
        log(f"saved {a.final} (loss {hist['loss'][0]:.3f}->{hist['loss'][-1]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Patient-level k-fold cross-validation of the case classifier, and training the bundled model.

    python -m mammoviewer.research.classifier_cv --out .work/classify-cv [--final models/case-classifier]

Every figure comes from films of patients the fold's model never saw. The operating threshold
on the abnormal score (1 - p(normal)) is never tuned on validation films: in patch mode it is the
``--spec-target`` quantile of the fold's TRAINING normal films' scores (default 0.8), else
``--threshold`` (0.5).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from mammoviewer.classify import data as cdata
from mammoviewer.classify.metrics import CLASSES, summarise
from mammoviewer.classify.model import ModelSettings
from mammoviewer.classify.patches import PatchSettings, predict_films, train_patches
from mammoviewer.classify.training import TrainSettings, predict, settings_dict, train
from mammoviewer.io.mias import DEFAULT_MIAS_DIR

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


def pool_decisions(folds: list[dict]) -> dict:
    """Confusion matrix, accuracy, sensitivity and specificity summed over folds (each at its own threshold)."""
    cm = np.sum([np.array(f["confusion_matrix"]["rows_true_columns_predicted"]) for f in folds], axis=0)
    return {
        "accuracy": float(np.trace(cm) / cm.sum()),
        "sensitivity": float(cm[1:, 1:].sum() / cm[1:].sum()),
        "specificity": float(cm[0, 0] / cm[0].sum()),
        "threshold": "per fold",
        "confusion_matrix": {"classes": list(CLASSES), "rows_true_columns_predicted": cm.tolist()},
    }


def cross_validate(films, y: np.ndarray, split: dict, fit_predict, threshold: float, log=print) -> dict:
    """One model per fold; JSON-ready per-fold and pooled figures plus out-of-fold probabilities.

    ``fit_predict(train_indices, val_indices) -> ([len(val), 3] probabilities, history)``; a
    ``"threshold"`` in the history (chosen on training films only) overrides ``threshold``.
    """
    refs = [f.ref for f in films]
    index = {r: i for i, r in enumerate(refs)}
    folds, oof = [], {}
    for k, fold in enumerate(split["folds"]):
        val = [index[r] for r in fold["films"] if r in index]
        val_set = set(val)
        tr = [i for i in range(len(refs)) if i not in val_set]
        t = time.perf_counter()
        p, hist = fit_predict(tr, val)
        fig = summarise(y[val], p, hist.get("threshold", threshold))
        fig.update(fold=k, seconds=round(time.perf_counter() - t, 1), final_loss=hist["loss"][-1])
        folds.append(fig)
        log(f"fold {k}: AUC n/a {fig['auc_normal_vs_abnormal']:.3f} m/r {fig['auc_malignant_vs_rest']:.3f} "
            f"acc {fig['accuracy']:.3f} sens {fig['sensitivity']:.3f} spec {fig['specificity']:.3f} "
            f"at {fig['threshold']:.3f} "
            f"({fig['seconds']} s, loss {hist['loss'][0]:.3f}->{hist['loss'][-1]:.3f})")
        for i, pi in zip(val, p):
            oof[refs[i]] = [float(v) for v in pi]
    keys = ("auc_normal_vs_abnormal", "auc_malignant_vs_rest", "accuracy", "sensitivity", "specificity")
    pooled_refs = sorted(oof)
    pooled = summarise(np.array([y[index[r]] for r in pooled_refs]), np.array([oof[r] for r in pooled_refs]), threshold)
    pooled.update(pool_decisions(folds))  # each film decided at its own fold's threshold
    return {
        "folds": folds,
        "mean_sd": {k: mean_sd([f[k] for f in folds]) for k in keys},
        "pooled": pooled,
        "out_of_fold_probabilities": {"classes": list(CLASSES), "films": oof},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.classifier_cv", description=__doc__.split("\n")[0])
    ap.add_argument("--images", default=str(DEFAULT_MIAS_DIR))
    ap.add_argument("--info", default=None, help="MIAS Info.txt (default: IMAGES/Info.txt)")
    ap.add_argument("--split", default=None, help="split file (default: the detector's, else our own)")
    ap.add_argument("--out", required=True, help="folder for cv.json")
    ap.add_argument("--cache", default=str(ROOT / ".work" / "classify-cache"))
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--lr", type=float, default=TrainSettings().learning_rate)
    ap.add_argument("--pixel-mm", type=float, default=0.8)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--width", type=int, default=ModelSettings().width)
    ap.add_argument("--mode", choices=("film", "patches"), default="patches")
    ap.add_argument("--patch", type=int, default=PatchSettings().patch)
    ap.add_argument("--stride", type=int, default=PatchSettings().stride)
    ap.add_argument("--top-k", type=int, default=PatchSettings().top_k)
    ap.add_argument("--hard", type=int, default=PatchSettings().hard_per_film, help="hard normals per film")
    ap.add_argument("--per-lesion", type=int, default=PatchSettings().per_lesion, help="windows per finding")
    ap.add_argument("--normals", type=int, default=PatchSettings().normal_per_film, help="random normals per film")
    ap.add_argument("--spec-target", type=float, default=0.8,
                    help="patch mode: threshold = this quantile of the training normals' abnormal scores")
    ap.add_argument("--standardise", action="store_true", help="patch mode: standardise each window")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1, help="TensorFlow CPU threads")
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    ap.add_argument("--final", default=None, help="also train on every film and save the model here")
    a = ap.parse_args(argv)

    from mammoviewer import keras_runtime

    keras_runtime.set_threads(a.threads, a.threads)
    info = a.info or str(Path(a.images) / "Info.txt")
    films = cdata.case_films(a.images, info)
    x, flipped, scale = cdata.load_prepared(films, a.cache, a.pixel_mm, a.size)
    y = np.array([f.label_index for f in films])
    window_probs: dict[str, np.ndarray] = {}  # patch mode: out-of-fold window probabilities per film
    if a.mode == "film":
        s = TrainSettings(epochs=a.epochs, learning_rate=a.lr, model=ModelSettings(size=a.size, width=a.width))

        def fit(tr):
            return train(x[tr], y[tr], s)

        def pred(model, idx):
            return predict(model, x[idx])

        settings: dict = {"mode": "film", **settings_dict(s)}
    else:
        ps = PatchSettings(patch=a.patch, stride=a.stride, top_k=a.top_k, epochs=a.epochs,
                           hard_per_film=a.hard, normal_per_film=a.normals, standardise=a.standardise,
                           per_lesion=a.per_lesion,
                           learning_rate=a.lr, width=a.width)

        def fit(tr):
            model, hist = train_patches(x[tr], [films[i] for i in tr], flipped[tr], scale[tr], ps)
            if a.spec_target is not None:  # operating point from the training films' normals
                normals = [i for i in tr if y[i] == 0]
                ab = 1.0 - predict_films(model, x[normals], ps)[:, 0]
                hist["threshold"] = float(np.quantile(ab, a.spec_target))
            return model, hist

        def pred(model, idx):
            wins: list = []
            p = predict_films(model, x[idx], ps, windows=wins)
            window_probs.update({films[i].ref: w for i, w in zip(idx, wins)})
            return p

        settings = {"mode": "patches", **asdict(ps)}
    settings.update(pixel_mm=a.pixel_mm, size=a.size, threshold=a.threshold,
                    spec_target=a.spec_target if a.mode == "patches" else None)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    if not a.no_cv:
        split, split_path = choose_split(films, a.split)
        log(f"{len(films)} films, split {split_path}, {settings}")

        def fit_predict(tr, val):
            model, hist = fit(tr)
            return pred(model, val), hist

        res = cross_validate(films, y, split, fit_predict, a.threshold, log)
        res.update(split=split_path, settings=settings)
        (out / "cv.json").write_text(json.dumps(res, indent=1) + "\n")
        if window_probs:
            np.savez_compressed(out / "windows.npz", **window_probs)
        ms = res["mean_sd"]
        log("mean ± sd: " + ", ".join(f"{k} {v['mean']:.3f} ± {v['sd']:.3f}" for k, v in ms.items()))
        p = res["pooled"]
        log(f"pooled: AUC n/a {p['auc_normal_vs_abnormal']:.3f} m/r {p['auc_malignant_vs_rest']:.3f} "
            f"acc {p['accuracy']:.3f} cm {p['confusion_matrix']['rows_true_columns_predicted']}")
    if a.final:
        from mammoviewer.classify.classifier import save_classifier

        t = time.perf_counter()
        model, hist = fit(list(range(len(films))))
        save_classifier(model, a.final, pixel_mm=a.pixel_mm, size=a.size,
                        threshold=hist.get("threshold", a.threshold),
                        trained_on=[f.ref for f in films], history=hist, mode=settings)
        log(f"saved {a.final} (loss {hist['loss'][0]:.3f}->{hist['loss'][-1]:.3f}, "
            f"{time.perf_counter() - t:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

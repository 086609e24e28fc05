"""Cross-validate a second look at the detector's candidates from their patches (false-positive reduction).

Most lesions the detector misses at 1 FP/image have a hitting candidate that scores just below the
operating point, behind false positives on dense tissue. This experiment asks whether a head that
looks at each candidate's neighbourhood only ranks them better: a small CNN trained on the patches
(``--head cnn``) or frozen ImageNet SqueezeNet features with PCA and a logistic rule
(``--head squeezenet``).

- **Candidates**: the out-of-fold findings of the fold models at threshold 0, as written by
  ``detector_fold_figures --out`` (each film's from the model that never saw its patient), the best
  ``--top`` of each film.
- **Patches** from the detector's own film rendering at 0.4 mm: a fixed 25.6 mm window on the
  candidate's centre and a window twice the box's side resized to the same 64 x 64, each standardised
  by the breast's mean and spread.
- **Label**: the FROC hit rule (``metrics.hits``).
- **Nested by fold**: the head that scores fold K's candidates is fitted on the other folds'
  candidates (and their lesions' jittered boxes) only; each figures file must hold a film under its
  fold in the split.
- **Score**: ``sigmoid((1 - w) * logit(detector) + w * logit(patch))`` for each ``--weights`` value
  (w = 0 is the detector alone, on the same truncated lists); choose w on folds 0-1, confirm on 2-4.

    python -m mammoviewer.research.candidate_rescore_cv --figures .work/s0-fold0.json ... --out report.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

#: patch side in model pixels (0.4 mm: 25.6 mm)
PATCH = 64


def _window(arr: np.ndarray, cx: float, cy: float, side: float, out: int) -> np.ndarray:
    """The square of ``side`` pixels centred on (cx, cy), zero outside the film, resized to ``out``."""
    import cv2

    half = side / 2.0
    m = np.array([[out / side, 0, -(cx - half) * out / side], [0, out / side, -(cy - half) * out / side]])
    return cv2.warpAffine(arr, m, (out, out), flags=cv2.INTER_AREA if side > out else cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)


def film_patches(image, boxes: np.ndarray, pixel_mm: float = 0.4, standardise: bool = True) -> np.ndarray:
    """Patches ``[N, PATCH, PATCH, 2]`` of ``boxes`` (the opened image's pixels) on its model rendering
    (``standardise``: by the breast's mean and spread; else in display units, 0..1)."""
    from mammoviewer.detect.preprocess import prepare, to_model_frame

    mi = prepare(image, pixel_mm)
    arr = mi.array.astype(np.float32)
    tissue = arr[arr > 0.12]
    mean, sd = (float(tissue.mean()), float(tissue.std()) + 1e-3) if tissue.size else (0.5, 0.25)
    if standardise:
        arr = (arr - mean) / sd
    b = to_model_frame(np.asarray(boxes, dtype=np.float64).reshape(-1, 4), mi)
    out = np.zeros((len(b), PATCH, PATCH, 2), np.float32)
    for i, (x0, y0, x1, y1) in enumerate(b):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        side = max(2.0 * max(x1 - x0, y1 - y0), 16.0)
        out[i, :, :, 0] = _window(arr, cx, cy, PATCH, PATCH)
        out[i, :, :, 1] = _window(arr, cx, cy, side, PATCH)
    return out


def load_candidates(figure_files: list[Path], top: int) -> tuple[dict[str, list], dict[str, int]]:
    """film ref -> its best ``top`` out-of-fold candidates ``(box, label, score)`` (no breast-mask filter),
    and film ref -> the fold whose model scored it."""
    by_film: dict[str, list] = {}
    fold_of: dict[str, int] = {}
    for path in figure_files:
        doc = json.loads(Path(path).read_text())
        for key, fold in doc.items():
            for ref, box, label, score in fold["predictions"]:
                by_film.setdefault(ref, []).append((tuple(box), label, float(score)))
                fold_of[ref] = int(key)
    return {r: sorted(v, key=lambda p: -p[2])[:top] for r, v in by_film.items()}, fold_of


def jittered(boxes: np.ndarray, copies: int, rng: np.random.Generator) -> np.ndarray:
    """``copies`` versions of each box, its centre moved up to 15% of its side and its side scaled 0.85-1.2."""
    b = np.repeat(np.asarray(boxes, dtype=np.float64).reshape(-1, 4), copies, axis=0)
    side = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
    c = np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2], axis=1)
    c += rng.uniform(-0.15, 0.15, c.shape) * side[:, None]
    half = side * rng.uniform(0.85, 1.2, len(b)) / 2
    return np.stack([c[:, 0] - half, c[:, 1] - half, c[:, 0] + half, c[:, 1] + half], axis=1)


def build_model(seed: int):
    from mammoviewer.keras_runtime import keras

    keras.utils.set_random_seed(seed)
    L = keras.layers
    x = inp = keras.Input((PATCH, PATCH, 2))
    for width in (16, 32, 64):
        x = L.Conv2D(width, 3, padding="same", use_bias=False)(x)
        x = L.BatchNormalization()(x)
        x = L.Activation("relu")(x)
        x = L.MaxPooling2D()(x)
    x = L.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dropout(0.3)(x)
    out = L.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model


def _dihedral(x: np.ndarray, k: int) -> np.ndarray:
    x = np.rot90(x, k % 4, axes=(1, 2))
    return x[:, :, ::-1] if k >= 4 else x


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int):
    """A patch CNN fitted on ``x``/``y`` with random flips and quarter turns, positives weighted up."""
    model = build_model(seed)
    rng = np.random.default_rng(seed)
    pos = max(1.0, float(y.sum()))
    weights = {0: 1.0, 1: float(len(y) - pos) / pos}
    for _ in range(epochs):
        k = rng.integers(0, 8, len(x))
        aug = np.empty_like(x)
        for j in range(8):
            aug[k == j] = _dihedral(x[k == j], j)
        model.fit(aug, y, batch_size=64, epochs=1, class_weight=weights, verbose=0)
    return model


def predict(model, x: np.ndarray) -> np.ndarray:
    """p(lesion), averaged over the four flips."""
    if len(x) == 0:
        return np.zeros(0)
    views = [x, x[:, :, ::-1], x[:, ::-1], x[:, ::-1, ::-1]]
    return np.mean([model.predict(np.ascontiguousarray(v), batch_size=256, verbose=0)[:, 0] for v in views], axis=0)


def squeezenet_extractor():
    """Frozen ImageNet SqueezeNet v1.1 (the shared weights): one grey plane in, its fire5 and fire9 maps out."""
    from mammoviewer.detect import squeezenet as sq
    from mammoviewer.keras_runtime import keras

    inp = keras.Input((None, None, 1))
    full = keras.Model(inp, sq.squeezenet_features(inp))
    sq.load_pretrained(full)
    return keras.Model(inp, [full.get_layer("sq_fire5_concat").output, full.get_layer("sq_fire9_concat").output])


def squeezenet_features(extractor, x: np.ndarray, batch: int = 256) -> np.ndarray:
    """``log1p`` of the spatial mean and max of fire5 and fire9 on each plane of ``x`` (display units),
    the patch magnified twice first: ``[N, 2 * 2 * (256 + 512)]``."""
    import cv2

    out = [np.zeros((0, 2 * x.shape[-1] * (256 + 512)), np.float32)]
    for i in range(0, len(x), batch):
        chunk = x[i:i + batch]
        feats = []
        for plane in range(chunk.shape[-1]):
            big = np.stack([cv2.resize(c[:, :, plane], (2 * PATCH, 2 * PATCH), interpolation=cv2.INTER_LINEAR)
                            for c in chunk])[..., None]
            for m in extractor.predict(big, verbose=0):
                feats += [np.log1p(np.maximum(m.mean(axis=(1, 2)), 0)), np.log1p(np.maximum(m.max(axis=(1, 2)), 0))]
        out.append(np.concatenate(feats, axis=1))
    return np.concatenate(out).astype(np.float32)


def fit_linear(f: np.ndarray, y: np.ndarray, components: int, l2: float):
    """PCA to ``components`` on ``f`` (standardised) and an L2 logistic rule on them; returns a scorer."""
    from mammoviewer.detect.logistic import fit

    mean, sd = f.mean(axis=0), f.std(axis=0) + 1e-6
    z = (f - mean) / sd
    _, _, vt = np.linalg.svd(z - z.mean(axis=0), full_matrices=False)
    basis = vt[:components].T
    rule = fit(z @ basis, y, tuple(f"pc{i}" for i in range(components)), l2=l2)
    return lambda g: rule.probability(((g - mean) / sd) @ basis)


def main(argv: list[str] | None = None) -> int:
    from mammoviewer.detect import metrics as mt
    from mammoviewer.research import oof_candidates as oof
    from mammoviewer.detect.evaluation import truths_of
    from mammoviewer.detect.second_stage import logit
    from mammoviewer.io import load_image

    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.candidate_rescore_cv", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    oof.add_arguments(ap)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--truth-copies", type=int, default=4,
                    help="jittered patches of each training lesion's own box added as positives (0: none)")
    ap.add_argument("--weights", default="0,0.25,0.5,0.75,1")
    ap.add_argument("--head", choices=("cnn", "squeezenet"), default="cnn",
                    help="cnn: a small CNN trained on the patches; squeezenet: frozen ImageNet SqueezeNet features, "
                         "PCA and an L2 logistic rule")
    ap.add_argument("--components", type=int, default=32, help="--head squeezenet: PCA components")
    ap.add_argument("--l2", type=float, default=1.0, help="--head squeezenet: penalty of the logistic rule")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    try:
        weights = [float(w) for w in a.weights.split(",")]
    except ValueError:
        ap.error(f"--weights {a.weights!r}: expected comma-separated numbers")
    split, films, cands, fold_of = oof.read(ap, a, lambda paths: load_candidates(paths, a.top))
    refs = sorted(fold_of)
    rng = np.random.default_rng(0)
    xs, ys, txs, t_fold, meta = [], [], [], [], []
    for ref in refs:
        c = cands[ref]
        boxes = np.array([p[0] for p in c]).reshape(-1, 4)
        image = load_image(films[ref].path)
        standardise = a.head == "cnn"
        xs.append(film_patches(image, boxes, standardise=standardise))
        t = np.array([l.box for l in films[ref].lesions], dtype=np.float64).reshape(-1, 4)
        ys.append(np.array([float(len(t) > 0 and mt.hits(b, t).any()) for b in boxes]))
        meta += [(ref, p) for p in c]
        if len(t) and a.truth_copies:
            txs.append(film_patches(image, jittered(t, a.truth_copies, rng), standardise=standardise))
            t_fold += [fold_of[ref]] * len(txs[-1])
    x, y = np.concatenate(xs), np.concatenate(ys)
    tx = np.concatenate(txs) if txs else np.zeros((0, PATCH, PATCH, 2), np.float32)
    t_fold = np.array(t_fold, dtype=int)
    film_fold = np.array([fold_of[m[0]] for m in meta])
    print(f"{len(x)} candidates of {len(refs)} films, {int(y.sum())} hitting a lesion; "
          f"{len(tx)} jittered lesion patches", file=sys.stderr)
    if a.head == "squeezenet":
        extractor = squeezenet_extractor()
        x, tx = squeezenet_features(extractor, x), squeezenet_features(extractor, tx)
    report: dict = {"head": a.head, **({"components": a.components, "l2": a.l2} if a.head == "squeezenet" else {}),
                    "top": a.top, "epochs": a.epochs, "truth_copies": a.truth_copies, "candidates": len(x), "positives": int(y.sum()),
                    "figures": [str(p) for p in a.figures], "per_fold": []}
    for k in range(len(split["folds"])):
        held = film_fold == k
        extra = t_fold != k
        x_fit, y_fit = np.concatenate([x[~held], tx[extra]]), np.r_[y[~held], np.ones(int(extra.sum()))]
        if a.head == "cnn":
            p_patch = predict(train(x_fit, y_fit, a.epochs, seed=k), x[held])
        else:
            p_patch = fit_linear(x_fit, y_fit, a.components, a.l2)(x[held])
        held_meta = [m for m, h in zip(meta, held) if h]
        fold_films = [films[r] for r in refs if fold_of[r] == k]
        truths = truths_of(fold_films)
        row = {"fold": k, "films": len(fold_films), "lesions": len(truths)}
        for w in weights:
            s = 1.0 / (1.0 + np.exp(-((1 - w) * logit(np.array([m[1][2] for m in held_meta])) + w * logit(p_patch))))
            preds = [mt.Prediction(ref, p[0], p[1], float(v)) for (ref, p), v in zip(held_meta, s)]
            summ = mt.summarise(preds, truths, len(fold_films))
            row[f"w={w:g}"] = {"froc": summ["froc"], "map_voc": summ["map_voc"],
                               "calc_1fp": summ["froc_by_class"].get("CALC", {}).get("1")}
        report["per_fold"].append(row)
        print(f"fold {k}: " + ", ".join(f"w={w:g} {row[f'w={w:g}']['froc']['1']:.3f}" for w in weights), file=sys.stderr)
    for w in weights:
        vals = [r[f"w={w:g}"]["froc"]["1"] for r in report["per_fold"]]
        report[f"w={w:g}"] = {"sens_1fp_folds01": float(np.mean(vals[:2])), "sens_1fp_folds234": float(np.mean(vals[2:])),
                              "sens_1fp_mean": float(np.mean(vals)), "sens_1fp_sd": float(np.std(vals, ddof=1)),
                              "map_mean": float(np.mean([r[f"w={w:g}"]["map_voc"] for r in report["per_fold"]]))}
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k.startswith("w=")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Patient-level 5-fold cross-validation of the tissue class (F / G / D) from percent density, and the card.

    python -m mammoviewer.research.density_cv --out .work/density-cv [--card models/density/card.json]

Every film of mini-MIAS (``Info.txt``'s background-tissue column) is measured once
(:func:`mammoviewer.density.measure.measure_density`; nothing in the measurement is fitted). In each of
the detector's 5 patient-level folds (``models/idbll-light/split.json``), the tissue rule
(:func:`mammoviewer.density.tissue.fit`) is fitted on the 4 training folds only and graded on the held-out
fold: accuracy, the confusion matrix and the quadratic-weighted kappa, mean ± sd over folds. ``--card``
then fits the rule on all films and writes it with these figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mammoviewer.density.measure import (CLUSTERS, DENSE_CENTROID, FEATURES, INTERIOR_MM, WORK_MM,
                                         measure_density)
from mammoviewer.density.tissue import TISSUES, fit
from mammoviewer.io import load_image
from mammoviewer.io.mias import DEFAULT_MIAS_DIR, films, read_info

ROOT = Path(__file__).resolve().parents[2]
DETECTOR_SPLIT = ROOT / "models" / "idbll-light" / "split.json"
L2 = 1.0


def weighted_kappa(truth: np.ndarray, predicted: np.ndarray, k: int = len(TISSUES)) -> float:
    """Cohen's kappa with quadratic weights of two class-index arrays (1 = agreement, 0 = chance)."""
    observed = np.zeros((k, k))
    np.add.at(observed, (np.asarray(truth), np.asarray(predicted)), 1)
    weights = (np.subtract.outer(np.arange(k), np.arange(k)) ** 2) / (k - 1) ** 2
    expected = np.outer(observed.sum(1), observed.sum(0)) / max(observed.sum(), 1)
    denominator = float((weights * expected).sum())
    return 1.0 - float((weights * observed).sum()) / denominator if denominator > 0 else 0.0


def confusion(truth: np.ndarray, predicted: np.ndarray, k: int = len(TISSUES)) -> list[list[int]]:
    """Rows: the truth, columns: the prediction, in :data:`TISSUES` order."""
    m = np.zeros((k, k), dtype=int)
    np.add.at(m, (np.asarray(truth), np.asarray(predicted)), 1)
    return m.tolist()


def measure_all(mias_dir: Path, log=print) -> tuple[list[str], np.ndarray, np.ndarray, list[float]]:
    """(film refs, feature rows, tissue indices, breast share of each film) of every film found."""
    rows = films(read_info(mias_dir / "Info.txt"))
    refs, x, y, shares = [], [], [], []
    for ref, findings in sorted(rows.items()):
        path = next((p for p in (mias_dir / f"{ref}.png", mias_dir / f"{ref}.pgm") if p.exists()), None)
        if path is None:
            continue
        m = measure_density(load_image(path))
        refs.append(ref)
        x.append([m.features[f] for f in FEATURES])
        y.append(TISSUES.index(findings[0].tissue))
        shares.append(float(m.mask.mean()))
    log(f"{len(refs)} films measured from {mias_dir}")
    return refs, np.array(x), np.array(y), shares


def cross_validate(refs: list[str], x: np.ndarray, y: np.ndarray, split: dict, log=print,
                   features: tuple[str, ...] = FEATURES) -> dict:
    """Per-fold and summary figures of the rule on ``features`` (``x``'s columns are :data:`FEATURES`); the
    rule of each fold sees only its training folds."""
    cols = [FEATURES.index(f) for f in features]
    fold_of = {f: k for k, fold in enumerate(split["folds"]) for f in fold["films"]}
    missing = [r for r in refs if r not in fold_of]
    if missing:
        raise SystemExit(f"films not in the split: {missing[:5]}")
    folds = np.array([fold_of[r] for r in refs])
    predicted = np.zeros_like(y)
    per_fold = []
    for k in range(len(split["folds"])):
        train, test = folds != k, folds == k
        rule = fit(x[train][:, cols], y[train], features, l2=L2)
        predicted[test] = np.argmax(rule.scores(x[test][:, cols]), axis=1)
        acc = float(np.mean(predicted[test] == y[test]))
        kappa = weighted_kappa(y[test], predicted[test])
        per_fold.append({"fold": k, "films": int(test.sum()), "accuracy": round(acc, 4), "kappa": round(kappa, 4),
                         "confusion": confusion(y[test], predicted[test])})
        log(f"fold {k}: {int(test.sum())} films, accuracy {acc:.3f}, weighted kappa {kappa:.3f}")
    accs = [f["accuracy"] for f in per_fold]
    kappas = [f["kappa"] for f in per_fold]
    pd_by_class = {t: round(float(np.median(x[y == i, 0])), 2) for i, t in enumerate(TISSUES)}
    return {
        "films": len(refs),
        "accuracy": {"mean": round(float(np.mean(accs)), 4), "sd": round(float(np.std(accs, ddof=1)), 4)},
        "weighted_kappa": {"mean": round(float(np.mean(kappas)), 4), "sd": round(float(np.std(kappas, ddof=1)), 4)},
        "pooled_accuracy": round(float(np.mean(predicted == y)), 4),
        "pooled_kappa": round(weighted_kappa(y, predicted), 4),
        "confusion": confusion(y, predicted),
        "confusion_axes": "rows = Info.txt's tissue, columns = the rule's, in order F, G, D",
        "median_percent_density": pd_by_class,
        "folds": per_fold,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.density_cv", description=__doc__.split("\n")[0])
    ap.add_argument("--mias", default=str(DEFAULT_MIAS_DIR), help="mini-MIAS folder (Info.txt and the films)")
    ap.add_argument("--split", default=str(DETECTOR_SPLIT), help="patient-level split (default: the detector's)")
    ap.add_argument("--out", default=None, help="folder for cv.json and the per-film features")
    ap.add_argument("--features", default=",".join(FEATURES),
                    help=f"comma-separated features of the rule (default: all, {','.join(FEATURES)})")
    ap.add_argument("--card", default=None, help="write the rule fitted on all films, with the figures, here")
    a = ap.parse_args(argv)
    split = json.loads(Path(a.split).read_text())
    refs, x, y, shares = measure_all(Path(a.mias))
    features = tuple(f.strip() for f in a.features.split(",") if f.strip())
    unknown = [f for f in features if f not in FEATURES]
    if unknown or not features:
        ap.error(f"unknown features {unknown}; choose from {', '.join(FEATURES)}")
    res = cross_validate(refs, x, y, split, features=features)
    res.update(split=str(a.split), features=list(features), l2=L2,
               smallest_breast_share=round(min(shares), 4))
    print(f"accuracy {res['accuracy']['mean']:.3f} ± {res['accuracy']['sd']:.3f}, weighted kappa "
          f"{res['weighted_kappa']['mean']:.3f} ± {res['weighted_kappa']['sd']:.3f} (mean ± sd over 5 folds); "
          f"pooled confusion (rows truth F,G,D) {res['confusion']}; smallest breast share {min(shares):.3f}")
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "cv.json").write_text(json.dumps(res, indent=1))
        (out / "features.json").write_text(json.dumps(
            {r: dict(zip(FEATURES, map(float, row)), tissue=TISSUES[t]) for r, row, t in zip(refs, x, y)}, indent=0))
    if a.card:
        rule = fit(x[:, [FEATURES.index(f) for f in features]], y, features, l2=L2)
        card = {
            "name": "density", "version": "1",
            "method": {"percent_density": "breast mask, interior (mask eroded by "
                       f"{INTERIOR_MM:g} mm), 1-D k-means of the smoothed display levels into {CLUSTERS} clusters, "
                       f"clusters with centroid >= {DENSE_CENTROID:g} are dense; dense / breast area x 100",
                       "work_mm": WORK_MM, "tissue": "multinomial logistic rule on the features, L2 "
                       f"{L2:g}, fitted on all {len(refs)} films"},
            "rule": rule.to_dict(),
            "cross_validation": {k: res[k] for k in ("films", "accuracy", "weighted_kappa", "pooled_accuracy",
                                                       "pooled_kappa", "confusion", "confusion_axes",
                                                       "median_percent_density")},
            "command": "python -m mammoviewer.research.density_cv --out .work/density-cv "
                       "--card models/density/card.json",
            "trained_on": "mini-MIAS (MLO, 200 micron, one scanner); other scanners' renderings are outside it",
        }
        Path(a.card).parent.mkdir(parents=True, exist_ok=True)
        Path(a.card).write_text(json.dumps(card, indent=1) + "\n")
        print(f"card written to {a.card}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

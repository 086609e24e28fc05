"""Cross-validate case scores built from more than one fact of the detector's findings.

The shipped case score ranks films by one feature, the film's top-3 finding-score sum minus that of
the other breast's film (``classify.combined``). This experiment asks whether a logistic rule on a
few more film-level facts of the out-of-fold findings ranks normal against abnormal films better:

- ``d3``: top-3 sum minus the other breast's (the shipped feature); ``t3``, ``p3``: the two sums;
- ``d1``: the best finding's logit minus the other breast's best; ``t1``: the best finding's logit;
- ``busy``: the sum of the film's 10 best scores;
- ``n_op``: findings at or above the operating point; ``dn_op``: minus the other breast's count.

Nested by fold (the rule scoring fold K is fitted on the other folds' films only); abnormal = any
MIAS finding, located or not; candidates off the breast mask dropped, as the detector does::

    python -m mammoviewer.research.case_features_cv --figures .work/s0-fold0.json ... --out report.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

FEATURES = ("d3", "t3", "p3", "d1", "t1", "busy", "n_op", "dn_op")
SETS = {
    "d3": ("d3",), "d3+t3": ("d3", "t3"), "d3+d1": ("d3", "d1"), "d3+busy": ("d3", "busy"),
    "d3+dn_op": ("d3", "dn_op"), "all": FEATURES,
}


def film_features(cands: dict[str, list], ref: str, threshold: float, partner_of=None) -> list[float]:
    """``FEATURES`` of film ``ref`` from ``cands`` (film ref -> candidates ``(box, label, score)``, best first)."""
    from mammoviewer.research.candidate_context_cv import logit

    if partner_of is None:
        from mammoviewer.io.pairing import mias_partner as partner_of
    other = partner_of(ref) or ""

    def scores(r: str) -> np.ndarray:
        return np.array([p[2] for p in cands.get(r, [])], dtype=np.float64)

    own, theirs = scores(ref), scores(other)
    t3, p3 = own[:3].sum(), theirs[:3].sum()
    t1 = float(logit(own[:1])[0]) if own.size else float(logit(np.array([1e-4]))[0])
    p1 = float(logit(theirs[:1])[0]) if theirs.size else float(logit(np.array([1e-4]))[0])
    n, pn = int((own >= threshold).sum()), int((theirs >= threshold).sum())
    return [t3 - p3, t3, p3, t1 - p1, t1, own[:10].sum(), n, n - pn]


def _mean(v: np.ndarray) -> float:
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")


def cross_validate(x: np.ndarray, y: np.ndarray, folds: np.ndarray, l2: float) -> dict:
    """AUC normal vs abnormal per fold of each feature set's nested logistic rule."""
    from mammoviewer.classify.metrics import auc
    from mammoviewer.detect.logistic import fit

    out = {}
    for name, chosen in SETS.items():
        cols = [FEATURES.index(f) for f in chosen]
        per_fold = []
        for k in sorted(set(folds.tolist())):
            fit_on, held = folds != k, folds == k
            rule = fit(x[fit_on][:, cols], y[fit_on].astype(float), chosen, l2=l2)
            per_fold.append(auc(y[held], rule.probability(x[held][:, cols])))
        v = np.array(per_fold, dtype=np.float64)  # NaN for a fold with films of one kind only
        out[name] = {"per_fold": [float(a) for a in v], "mean": _mean(v),
                     "sd": float(np.nanstd(v, ddof=1)) if np.isfinite(v).sum() > 1 else 0.0,
                     "folds01": _mean(v[:2]), "folds234": _mean(v[2:])}
    return out


def main(argv: list[str] | None = None) -> int:
    from mammoviewer.research import oof_candidates as oof

    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.case_features_cv", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    oof.add_arguments(ap)
    ap.add_argument("--threshold", type=float, default=None,
                    help="operating point for n_op (default: the bundled detector card's)")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    if a.threshold is None:
        from mammoviewer.detect import default_model_path

        a.threshold = float(json.loads(default_model_path().with_name("model.json").read_text())["default_threshold"])
    _, films, cands, fold_of = oof.read(ap, a)
    refs = sorted(fold_of)
    x = np.array([film_features(cands, r, a.threshold) for r in refs], dtype=np.float64)
    y = np.array([films[r].worst != "normal" for r in refs])
    report = {"films": len(refs), "abnormal": int(y.sum()), "threshold": a.threshold, "l2": a.l2,
              "figures": [str(p) for p in a.figures],
              "sets": cross_validate(x, y, np.array([fold_of[r] for r in refs]), a.l2)}
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n")
    for name, r in report["sets"].items():
        print(f"{name:9s} AUC {r['mean']:.3f} ± {r['sd']:.3f} (folds 0-1 {r['folds01']:.3f}, 2-4 {r['folds234']:.3f}): "
              + " ".join(f"{v:.2f}" for v in r["per_fold"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cross-validate re-ranking the detector's candidates by their film's context (no pixels).

FROC counts false positives over all films of a fold, so a lesion is found at 1 FP/image only if
it outscores the false positives of *every* film. Dense films collect many strong false positives;
a candidate that is one of many alike on its film, or matched by the other breast, may deserve
less than a lone one. This experiment asks whether a linear rule on the candidate's score and a few
facts of its film's candidate list ranks candidates across films better than the score alone.

Features of a candidate (``FEATURES``; every one from the out-of-fold candidate lists):

- ``logit``: the detector's score, as a logit;
- ``gap``: its logit minus that of the film's best candidate;
- ``rank``: ``log(1 + its rank on the film)`` (0 for the best);
- ``busy``: the sum of the film's 10 best scores;
- ``side_mm``: ``log`` of the box side in mm;
- ``partner_gap``: its logit minus that of the other breast's best candidate (``io.pairing.mias_partner``);
- ``partner_sum``: the film's top-3 sum minus the other breast's (the case score's feature).

The detector's own score (``score``) is the baseline. Nested by fold: the rule that scores fold K
is fitted (``detect.logistic.fit``) on the other folds' candidates only, labelled by the FROC hit
rule. Candidates off the breast mask are dropped first, as the shipped detector does. Each fold
also reports the case-score AUC (top-3 sum minus the other breast's,
``detector_fold_figures.case_auc``) of the re-ranked scores. Feature sets are compared on folds
0-1 and confirmed on 2-4. Outcome on the 1.4 recipe's fold models: no set beats the score alone
(``models/README.md``)::

    python -m mammoviewer.research.candidate_context_cv --figures .work/s0-fold0.json ... --out report.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mammoviewer.research import oof_candidates as oof

#: the film's own features, then two of the other breast's
FILM_FEATURES = ("logit", "gap", "rank", "busy", "side_mm")
FEATURES = (*FILM_FEATURES, "partner_gap", "partner_sum")
#: how many of the film's best scores make ``busy``
BUSY_TOP = 10
#: the feature sets compared with the detector's own score ("score", not refitted)
FEATURE_SETS = {
    "film": ("logit", "gap", "rank", "busy"),
    "film+size": FILM_FEATURES,
    "film+partner": ("logit", "gap", "rank", "busy", "partner_gap", "partner_sum"),
    "all": FEATURES,
}


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def film_features(scores: np.ndarray, boxes: np.ndarray, pixel_mm: float) -> np.ndarray:
    """``[N, len(FILM_FEATURES)]`` for a film's candidate ``scores`` (best first) and ``boxes`` (pixels of
    ``pixel_mm``): the logit, the logit minus the best's, ``log(1 + rank)``, the sum of the film's
    ``BUSY_TOP`` best scores, ``log`` of the box side in mm."""
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if s.size == 0:
        return np.zeros((0, len(FILM_FEATURES)))
    if np.any(np.diff(s) > 0):
        raise ValueError("film_features: scores must be sorted best first")
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    side = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) * pixel_mm
    z = logit(s)
    return np.stack([z, z - z[0], np.log1p(np.arange(s.size)), np.full(s.size, s[:BUSY_TOP].sum()),
                     np.log(np.maximum(side, 0.5))], axis=1)


def context_features(cands: dict[str, list], top: int, pixel_mm: float,
                     partner_of=None) -> dict[str, np.ndarray]:
    """film ref -> ``[n, len(FEATURES)]`` for its best ``top`` candidates (``cands`` best first)."""
    if partner_of is None:
        from mammoviewer.io.pairing import mias_partner as partner_of

    def best(ref: str | None, k: int) -> np.ndarray:
        return np.array([p[2] for p in cands.get(ref or "", [])[:k]], dtype=np.float64)

    out = {}
    for ref, c in cands.items():
        c = c[:top]
        s = np.array([p[2] for p in c], dtype=np.float64)
        film = film_features(s, np.array([p[0] for p in c], dtype=np.float64).reshape(-1, 4), pixel_mm)
        other_top = best(partner_of(ref), 1)
        other_logit = float(logit(other_top if other_top.size else np.array([1e-4]))[0])
        partner = np.stack([logit(s) - other_logit,
                            np.full(len(s), best(ref, 3).sum() - best(partner_of(ref), 3).sum())], axis=1)
        out[ref] = np.concatenate([film, partner.reshape(-1, 2)], axis=1)
    return out


def main(argv: list[str] | None = None) -> int:
    from mammoviewer.detect import metrics as mt
    from mammoviewer.detect.evaluation import truths_of
    from mammoviewer.detect.logistic import fit
    from mammoviewer.geometry.mias import MIAS_PIXEL_MM
    from mammoviewer.research.detector_fold_figures import case_auc

    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.candidate_context_cv", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    oof.add_arguments(ap)
    ap.add_argument("--top", type=int, default=30, help="candidates kept per film (best first)")
    ap.add_argument("--l2", type=float, default=1.0, help="penalty of the logistic rule")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    split, films, cands, fold_of = oof.read(ap, a)
    refs = sorted(fold_of)
    feats = context_features({r: cands[r] for r in refs}, a.top, MIAS_PIXEL_MM)
    x = np.concatenate([feats[r] for r in refs])
    meta = [(r, p) for r in refs for p in cands[r][:a.top]]
    y = np.array([float(mt.hits(np.asarray(p[0], dtype=np.float64), np.array([l.box for l in films[r].lesions]).reshape(-1, 4)).any())
                  if films[r].lesions else 0.0 for r, p in meta])
    film_fold = np.array([fold_of[r] for r, _ in meta])
    print(f"{len(x)} candidates of {len(refs)} films, {int(y.sum())} hitting a lesion", file=sys.stderr)
    report: dict = {"top": a.top, "l2": a.l2, "candidates": len(x), "positives": int(y.sum()),
                    "figures": [str(p) for p in a.figures], "per_fold": [], "rules": {},
                    "fold_rules": {n: [] for n in FEATURE_SETS}}
    for k in range(len(split["folds"])):
        held = film_fold == k
        fold_films = [films[r] for r in refs if fold_of[r] == k]
        truths = truths_of(fold_films)
        row = {"fold": k, "films": len(fold_films), "lesions": len(truths)}
        held_meta = [m for m, h in zip(meta, held) if h]
        for name, chosen in (("score", ()), *FEATURE_SETS.items()):
            if chosen:
                cols = [FEATURES.index(f) for f in chosen]
                rule = fit(x[~held][:, cols], y[~held], chosen, l2=a.l2)
                report["fold_rules"][name].append(rule.to_dict())
                s = rule.probability(x[held][:, cols])
            else:
                s = np.array([p[2] for _, p in held_meta])
            preds = [mt.Prediction(r, p[0], p[1], float(v)) for (r, p), v in zip(held_meta, s)]
            summ = mt.summarise(preds, truths, len(fold_films))
            row[name] = {"froc": summ["froc"], "map_voc": summ["map_voc"],
                         "calc_1fp": summ["froc_by_class"].get("CALC", {}).get("1"),
                         "case_auc_other_breast": case_auc(preds, fold_films)["other_breast"]}
        report["per_fold"].append(row)
        print(f"fold {k}: " + ", ".join(f"{n} {row[n]['froc']['1']:.3f}" for n in ("score", *FEATURE_SETS)),
              file=sys.stderr)
    rows = [r for r in report["per_fold"] if r["lesions"]]  # a fold without lesions has no sensitivity
    for name in ("score", *FEATURE_SETS):
        vals = [r[name]["froc"]["1"] for r in rows]
        sel = [r[name]["froc"]["1"] for r in rows if r["fold"] < 2]
        rest = [r[name]["froc"]["1"] for r in rows if r["fold"] >= 2]
        report[name] = {"sens_1fp_folds01": float(np.mean(sel)) if sel else None,
                        "sens_1fp_folds234": float(np.mean(rest)) if rest else None,
                        "sens_1fp_mean": float(np.mean(vals)),
                        "sens_1fp_sd": float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0,
                        "froc_mean": {fp: float(np.mean([r[name]["froc"][fp] for r in rows]))
                                      for fp in rows[0][name]["froc"]},
                        "map_mean": float(np.mean([r[name]["map_voc"] for r in rows])),
                        "case_auc_mean": float(np.nanmean([r[name]["case_auc_other_breast"] for r in report["per_fold"]]))}
    for name, chosen in FEATURE_SETS.items():
        cols = [FEATURES.index(f) for f in chosen]
        report["rules"][name] = fit(x[:, cols], y, chosen, l2=a.l2).to_dict()
    Path(a.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({n: report[n] for n in ("score", *FEATURE_SETS)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

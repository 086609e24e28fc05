"""Cross-validation figures per source from fold-by-fold runs of the same fold models.

Each fold model is scored once on its held-out films of every source (``mammoviewer evaluate --data ... --ids
FOLD_K_FILMS --model CV/foldK --json``) and once on its held-out MIAS films by
``research.detector_fold_figures`` (which keeps the MIAS predictions, the lesion AP and the case AUC). This
module gathers them: mean ± sd over folds per source (never pooled across sources), the MIAS figures of the
pooled MIAS predictions (with the breast mask, as the card runs) and the operating point, the MIAS score at
1 false positive per image on the pooled predictions. Nothing is re-run, so these are the figures of those runs::

    python -m mammoviewer.research.domain_fold_summary --evaluations E0.json ... E4.json \\
        --figures F0.json ... F4.json --split SPLIT --out summary.json [--card MODEL/model.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def _load(paths: list[str]) -> list[dict]:
    return [json.loads(Path(p).read_text()) for p in paths]


def per_source(evaluations: list[dict]) -> dict[str, dict]:
    """Mean ± sd over folds and the per-fold figures of each source, from per-fold ``evaluate`` outputs."""
    from mammoviewer.detect.evaluation import aggregate_folds

    names = [d for d in evaluations[0]["domains"]]
    out = {}
    for d in names:
        folds = [dict(e["domains"][d], fold=k) for k, e in enumerate(evaluations)]
        out[d] = {"mean_sd_over_folds": aggregate_folds(folds), "per_fold": folds}
    return out


def pooled_mias(figures: list[dict], split: dict, images: str | None) -> dict:
    """The MIAS figures of every fold's held-out predictions together (breast mask on), with the lesion AP."""
    from mammoviewer.detect import evaluation as ev
    from mammoviewer.detect import metrics as mt
    from mammoviewer.detect.data import mias_films
    from mammoviewer.detect.domains import lesion_ap
    from mammoviewer.io.mias import DEFAULT_MIAS_DIR

    folder = Path(images or DEFAULT_MIAS_DIR)
    held_out = {r for doc in figures for k in doc for r in split["folds"][int(k)]["films"]}
    held = [f for f in mias_films(folder, folder / "Info.txt") if f.ref in held_out]
    preds = [mt.Prediction(film, tuple(box), label, float(score))
             for doc in figures for fold in doc.values()
             for (film, box, label, score), inside in zip(fold["predictions"], fold["inside_breast"]) if inside]
    truths = ev.truths_of(held)
    summary = ev.evaluate(ev.FilmResult(preds, truths, len(held), 0.0))
    summary.pop("seconds_per_image", None)
    summary["lesion_ap"] = lesion_ap(preds, truths)
    return summary


def case_auc(figures: list[dict]) -> dict:
    """The case AUC (top-3 sum minus the other breast's) per fold, with mean and sd."""
    vals = [fold["breast_mask"]["case_auc"]["other_breast"] for doc in figures for fold in doc.values()]
    single = [fold["breast_mask"]["case_auc"]["single_film"] for doc in figures for fold in doc.values()]
    return {"other_breast": {"mean": float(np.mean(vals)), "sd": float(np.std(vals, ddof=1)) if len(vals) > 1 else None,
                             "per_fold": vals},
            "single_film": {"mean": float(np.mean(single)),
                            "sd": float(np.std(single, ddof=1)) if len(single) > 1 else None, "per_fold": single}}


def write_card(card_path: Path, doc: dict) -> None:
    """The MIAS operating point and every source's figures into a model card."""
    from mammoviewer.detect.evaluation import clean

    card = json.loads(card_path.read_text())
    card["default_threshold"] = round(doc["mias_pooled"]["threshold_at_1fp"], 4)
    card["threshold_note"] = (f"score giving <= 1 false positive per image on the pooled {doc['folds']}-fold "
                              "held-out MIAS predictions")
    card["metrics"] = clean({"mean_sd_over_folds": doc["domains"]["mias"]["mean_sd_over_folds"],
                             "pooled": doc["mias_pooled"], "case_auc": doc["mias_case_auc"]})
    card["metrics_by_source"] = clean({d: {"mean_sd_over_folds": v["mean_sd_over_folds"]}
                                       for d, v in doc["domains"].items()})
    card["metrics_command"] = doc["command"]
    card_path.write_text(json.dumps(card, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    import sys

    from mammoviewer.detect.evaluation import clean

    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.domain_fold_summary")
    ap.add_argument("--evaluations", nargs="+", required=True, help="per-fold `evaluate --data ... --json` outputs")
    ap.add_argument("--figures", nargs="+", required=True, help="per-fold detector_fold_figures outputs")
    ap.add_argument("--split", required=True, help="the split the fold models were trained on")
    ap.add_argument("--images", default=None, help="MIAS folder (default: the shared one)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--card", default=None, help="model card to write the operating point and figures into")
    args = ap.parse_args(argv)
    if len(args.evaluations) != len(args.figures):
        print("domain_fold_summary: give one --figures file per --evaluations file", file=sys.stderr)
        return 2
    evaluations, figures = _load(args.evaluations), _load(args.figures)
    doc = {
        "folds": len(evaluations),
        "command": "python -m mammoviewer.research.domain_fold_summary " + " ".join(argv or sys.argv[1:]),
        "domains": per_source(evaluations),
        "mias_pooled": pooled_mias(figures, json.loads(Path(args.split).read_text()), args.images),
        "mias_case_auc": case_auc(figures),
    }
    Path(args.out).write_text(json.dumps(clean(doc), indent=1) + "\n")
    if args.card:
        write_card(Path(args.card), doc)
    for d, v in doc["domains"].items():
        m = v["mean_sd_over_folds"]
        print(f"{d}: sensitivity at 1 FP/image {m['froc']['1']['mean']:.3f} ± {m['froc']['1']['sd']:.3f}, "
              f"lesion AP {m['lesion_ap']['ap_voc']['mean']:.3f}")
    print(f"mias pooled: 1 FP/image {doc['mias_pooled']['froc']['1']:.3f}, operating point "
          f"{doc['mias_pooled']['threshold_at_1fp']:.4f}, case AUC {doc['mias_case_auc']['other_breast']['mean']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

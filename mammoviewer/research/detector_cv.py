"""Patient-level cross-validation of the detector: each fold model scored on the patients it never saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from mammoviewer.detect import Detector
from mammoviewer.detect import evaluation as ev
from mammoviewer.detect.data import Film
from mammoviewer.detect.domains import domain_summary, films_of_training_patients, subset
from mammoviewer.errors import DetectorError


def cross_validate(films: list[Film], split: dict, cv_dir: str | Path,
                   load: Callable[[Path], Detector]) -> tuple[dict, ev.FilmResult]:
    """Evaluate ``cv_dir/foldK`` on fold K's films for every fold of ``split``: (figures, pooled predictions).

    The figures hold each fold's, the pooled ones and their mean ± sd over folds; with films of several
    sources (MIAS, DDSM, ...), they are given per source under ``"domains"``, never pooled across sources.

    ``load(path)`` returns the fold's detector (with the test-time flips to use). A fold model trained on
    a patient of its own validation fold is refused (DetectorError).
    """
    names = sorted({f.domain for f in films}, key=lambda d: (d != "mias", d))
    per_fold: dict[str, list[dict[str, Any]]] = {d: [] for d in names}
    pooled = ev.FilmResult([], [], 0, 0.0)
    tta: list[str] = []
    for k, fold in enumerate(split["folds"]):
        fold_films = [f for f in films if f.ref in set(fold["films"])]
        detector = load(ev.fold_model_path(cv_dir, k))
        tta = list(detector.tta)
        if films_of_training_patients(detector, fold_films):
            raise DetectorError(f"fold {k}: the fold model was trained on patients of its validation fold")
        res = ev.predict_films(detector, fold_films)
        for d in names:
            mine = [f for f in fold_films if f.domain == d]
            s = ev.evaluate(res) if len(names) == 1 else domain_summary(res, mine)
            s["fold"] = k
            per_fold[d].append(s)
        pooled = ev.FilmResult(pooled.predictions + res.predictions, pooled.truths + res.truths,
                               pooled.n_images + res.n_images, pooled.seconds + res.seconds)
    head = {"folds": len(split["folds"]), "cv_dir": str(cv_dir), "tta": tta}
    if len(names) == 1:
        d = names[0]
        doc = {**head, "mean_sd_over_folds": ev.aggregate_folds(per_fold[d]), "pooled": ev.evaluate(pooled),
               "per_fold": per_fold[d]}
        return doc, pooled
    domains = {}
    for d in names:
        mine = [f for f in films if f.domain == d]
        domains[d] = {"mean_sd_over_folds": ev.aggregate_folds(per_fold[d]),
                      "pooled": domain_summary(subset(pooled, {f.ref for f in mine}), mine),
                      "per_fold": per_fold[d]}
    mias_refs = {f.ref for f in films if f.domain == "mias"}
    return {**head, "domains": domains}, subset(pooled, mias_refs) if mias_refs else pooled


def update_card(card_path: Path, doc: dict) -> None:
    """Write the pooled 1 FP/image operating point, the CV figures and the flips into the model card."""
    card = json.loads(card_path.read_text())
    if "domains" in doc:  # the operating point and headline figures are MIAS's, the others are kept beside
        figures = doc["domains"]
        doc = {**doc, **figures.get("mias", next(iter(figures.values())))}
        card["metrics_by_source"] = ev.clean({d: {k: v[k] for k in ("mean_sd_over_folds", "pooled")}
                                              for d, v in figures.items()})
    card["default_threshold"] = round(doc["pooled"]["threshold_at_1fp"], 4)
    card["threshold_note"] = (f"score giving <= 1 false positive per image on the pooled {doc['folds']}-fold "
                              "validation predictions")
    card["metrics"] = ev.clean({k: doc[k] for k in ("mean_sd_over_folds", "pooled")})
    card["tta"] = list(doc["tta"])  # the bundled model runs as it was evaluated
    card_path.write_text(json.dumps(card, indent=1) + "\n")

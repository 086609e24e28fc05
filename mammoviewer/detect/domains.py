"""Detector figures per data source (MIAS, DDSM, ...), never pooled across sources into one headline.

MIAS keeps every figure of ``evaluation.evaluate`` (per class, per lesion size in mm); another source gets the
same FROC and AP figures with the lesion sizes left out (its pixel size is not MIAS's) and its FROC by view
(CC, MLO) where the source names the view. Every source also gets the class-agnostic lesion AP@0.5, the figure
that means something for a source whose lesions have no benign/malignant label.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mammoviewer.detect import metrics as mt
from mammoviewer.detect.data import Film
from mammoviewer.detect.evaluation import FilmResult, evaluate


def lesion_ap(predictions: list[mt.Prediction], truths: list[mt.Truth]) -> dict:
    """Class-agnostic AP@0.5 (VOC all-point and 20-point) over every box."""
    pr = mt.precision_recall([replace(p, label="lesion") for p in predictions],
                             [replace(t, label="lesion") for t in truths], "lesion")
    return {"ap_voc": pr.ap_all_point, "ap_20pt": pr.ap_20_point}


def subset(result: FilmResult, refs: set[str]) -> FilmResult:
    """The predictions and truths of the films ``refs`` only."""
    return FilmResult([p for p in result.predictions if p.film in refs],
                      [t for t in result.truths if t.film in refs], len(refs),
                      result.seconds * len(refs) / max(result.n_images, 1))


def by_view(result: FilmResult, films: list[Film]) -> dict[str, dict]:
    """Films, lesions and sensitivity at the FROC's false-positive rates, per view named by the source."""
    out: dict[str, dict] = {}
    for view in sorted({f.view for f in films if f.view}):
        refs = {f.ref for f in films if f.view == view}
        part = subset(result, refs)
        froc = mt.froc(part.predictions, part.truths, part.n_images)
        out[view] = {"images": len(refs), "lesions": len(part.truths),
                     **{f"{r:g}": froc.sensitivity_at(r) for r in mt.FP_RATES}}
    return out


def domain_summary(result: FilmResult, films: list[Film]) -> dict[str, Any]:
    """The figures of ``films`` (all of one source) from ``result``."""
    refs = {f.ref for f in films}
    part = subset(result, refs)
    mias = all(f.domain == "mias" for f in films)
    if mias:
        doc = evaluate(part)
    else:
        doc = mt.summarise(part.predictions, part.truths, part.n_images)
        doc["seconds_per_image"] = part.seconds / max(part.n_images, 1)
    doc["lesion_ap"] = lesion_ap(part.predictions, part.truths)
    if not mias and any(f.view for f in films):
        doc["froc_by_view"] = by_view(part, films)
    return doc


def domain_summaries(result: FilmResult, films: list[Film]) -> dict[str, dict]:
    """``domain_summary`` of each source among ``films``, MIAS first."""
    names = sorted({f.domain for f in films}, key=lambda d: (d != "mias", d))
    return {d: domain_summary(result, [f for f in films if f.domain == d]) for d in names}


def trained_on(detector: Any) -> dict[str, set[str]]:
    """The patients a detector was trained on, per source, as strings (from its card; empty if it does not say)."""
    training = detector.card.get("training", {})
    by_source = training.get("train_patients_by_source")
    if isinstance(by_source, dict):
        return {str(d): {str(p) for p in ps} for d, ps in by_source.items() if isinstance(ps, list)}
    return {"mias": {str(p) for p in training.get("train_patients", [])}}


def films_of_training_patients(detector: Any, films: list[Film]) -> int:
    """How many of ``films`` are of patients the detector was trained on."""
    seen = trained_on(detector)
    return sum(str(f.patient) in seen.get(f.domain, set()) for f in films)


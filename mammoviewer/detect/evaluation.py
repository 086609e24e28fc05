"""Run a detector over whole MIAS films and score it; k-fold cross-validation figures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mammoviewer.detect import metrics as mt
from mammoviewer.detect.data import Film
from mammoviewer.geometry.mias import MIAS_PIXEL_MM


@dataclass
class FilmResult:
    predictions: list[mt.Prediction]
    truths: list[mt.Truth]
    n_images: int
    seconds: float


def truths_of(films: list[Film]) -> list[mt.Truth]:
    return [mt.Truth(f.ref, l.box, l.label, l.cls) for f in films for l in f.lesions]


def predict_films(detector, films: list[Film], progress=None) -> FilmResult:
    """Detections at threshold 0 (every candidate after post-processing) on each film."""
    from mammoviewer.io import load_image

    preds: list[mt.Prediction] = []
    t0 = time.perf_counter()
    for i, f in enumerate(films):
        for d in detector.detect(load_image(f.path), threshold=0.0):
            preds.append(mt.Prediction(f.ref, d.box, d.label, d.score))
        if progress:
            progress(i + 1, len(films))
    return FilmResult(preds, truths_of(films), len(films), time.perf_counter() - t0)


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def clean(obj):
    """JSON-safe copy: NaN/inf become null, numpy scalars become floats."""
    if isinstance(obj, dict):
        return {k: clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return _finite(float(obj))
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


_SEP = "\x1f"  # keys such as "0.25" contain dots


def _flatten(d: dict, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + _SEP))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[key] = float(v)
    return out


def _unflatten(flat: dict[str, dict]) -> dict:
    out: dict = {}
    for key, val in flat.items():
        node = out
        parts = key.split(_SEP)
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = val
    return out


def aggregate_folds(fold_summaries: list[dict]) -> dict:
    """Mean and standard deviation (ddof=1) over folds of every figure the summaries share."""
    flats = [_flatten(s) for s in fold_summaries]
    keys = [k for k in flats[0] if all(k in f for f in flats)]
    agg = {}
    for k in keys:
        vals = np.array([f[k] for f in flats], dtype=np.float64)
        ok = vals[np.isfinite(vals)]
        agg[k] = {
            "mean": float(ok.mean()) if ok.size else float("nan"),
            "sd": float(ok.std(ddof=1)) if ok.size > 1 else float("nan"),
            "n": int(ok.size),
        }
    return _unflatten(agg)


def evaluate(result: FilmResult) -> dict:
    summary = mt.summarise(result.predictions, result.truths, result.n_images, pixel_mm=MIAS_PIXEL_MM)
    summary["seconds_per_image"] = result.seconds / max(result.n_images, 1)
    return summary


def fold_model_path(cv_dir: str | Path, fold: int) -> Path:
    return Path(cv_dir) / f"fold{fold}" / "model.keras"


def train_patients(detector: Any) -> set[int]:
    """MIAS patient numbers a detector was trained on (from its card; empty if it does not say)."""
    return set(detector.card.get("training", {}).get("train_patients", []))

"""Retrain the detector from a review store: the reader's corrections go back into the model.

The films the reader marked reviewed give the truth, by the one rule of :mod:`mammoviewer.review.truth`
(accepted, reader-drawn and edited boxes; never rejected ones, never a film that is not a mammogram,
one film once), and the hard negatives (rejected model findings, sampled as crops centred on them).
They are mixed with the original MIAS training films, the old model is fine-tuned, and old and new
model are scored on the same reference films: films of patients neither model trained on
(:mod:`mammoviewer.detect.comparison`), or, where there are none, films the report says bias the check.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from mammoviewer.detect import data as md
from mammoviewer.detect.anchors import AnchorSpec
from mammoviewer.detect.comparison import comparison_films, patient_or_none, train_patients
from mammoviewer.detect.detector import CARD_FILE, MODEL_FILE, resolve_model_paths, default_model_path
from mammoviewer.detect.sampler import CropConfig, CropSampler, TrainFilm
from mammoviewer.errors import DetectorError
from mammoviewer.io import mias

Progress = Callable[[str, float], None]  # (message, fraction done in [0, 1])


@dataclass
class FinetuneConfig:
    store: str
    model: str | None  # None: the bundled model
    out: str
    images: str | None = None  # MIAS folder with the original training films; None: reviewed films only
    info: str | None = None
    epochs: int = 3
    steps_per_epoch: int = 40
    batch_size: int = 8
    learning_rate: float = 2e-4
    reviewed_weight: float = 0.3  # share of crops drawn from reviewed films
    hard_fraction: float = 0.5  # share of a reviewed film's negative crops centred on a rejected box
    holdout: list[str] | None = None  # film refs held out for the before/after check
    holdout_fold: int | None = None  # else films of patients the model never saw; else this fold (default: its own, or 0)
    seed: int = 0
    cache_dir: str = ".work/idbll-cache"


@dataclass
class ReviewedFilm:
    ref: str
    path: str
    truth: list[tuple[tuple[float, float, float, float], str]]
    negatives: list[tuple[float, float, float, float]]
    content_hash: str | None = None


@dataclass
class FinetuneReport:
    model_path: Path
    before: dict
    after: dict
    reviewed_films: int
    truth_boxes: int
    hard_negatives: int
    heldout_films: list[str] = field(default_factory=list)
    seconds: float = 0.0
    comparison: str = ""  # which films the check used, e.g. "52 films of 26 patients neither model trained on"
    bias: str | None = None  # what favours one model in the check, in plain words (None: nothing known)

    @property
    def not_worse(self) -> bool:
        """New model at least as good as the old on the held-out films (sensitivity at 1 FP/image and mAP)."""
        keys = (("froc", "1"), ("map_voc",))
        def get(d: dict, k: tuple) -> float:
            v = d
            for part in k:
                v = v.get(part) if isinstance(v, dict) else None
            return float("nan") if v is None else float(v)
        return all(not (get(self.after, k) < get(self.before, k) - 1e-9) for k in keys)


def reviewed_films(store_path: str | Path) -> list[ReviewedFilm]:
    """The store's films as truth (:func:`mammoviewer.review.truth.film_truth`: marked reviewed, mammograms),
    with their corrected truth and rejected boxes. DetectorError when one film is there under two names."""
    from mammoviewer.review import truth as rt
    from mammoviewer.review.identity import film_identity, identified, identify_file
    from mammoviewer.review.store import ReviewStore

    out = []
    seen: dict[str, str] = {}
    with ReviewStore.open(store_path, create=False) as store:
        for rec in store.images(review_state="reviewed"):
            if rec.content_hash is None and Path(rec.key).is_file():
                rec = identified(rec, identify_file(rec.key))
            film = rt.film_truth(rec, store.findings(rec.key))
            if film is None:  # not a mammogram
                continue
            ident = film_identity(rec)
            if ident in seen:
                raise DetectorError(f"{seen[ident]} and {rec.key} are the same film (identical pixels), both "
                                    "marked reviewed; mark one of them \"in progress\" and retrain")  # fmt: skip
            seen[ident] = rec.key
            truth = [(f.box.as_tuple(), f.label) for f in film.truth]
            negatives = [f.box.as_tuple() for f in film.rejected]
            ref = str(rec.metadata.get("mias_ref") or Path(rec.key).stem)
            out.append(ReviewedFilm(ref, rec.key, truth, negatives, rec.content_hash))
    return out


class HardNegativeSampler(CropSampler):
    """A crop sampler that centres some negative crops of a film on its rejected boxes."""

    def __init__(self, films: list[TrainFilm], spec: AnchorSpec, cfg: CropConfig,
                 negatives: dict[str, np.ndarray], hard_fraction: float) -> None:
        super().__init__(films, spec, cfg)
        self.negatives = negatives
        self.hard_fraction = hard_fraction

    def _origin(self, film: TrainFilm, side: int, rng: np.random.Generator, positive: bool):
        negs = self.negatives.get(film.ref)
        if not positive and negs is not None and len(negs) and rng.random() < self.hard_fraction:
            g = negs[rng.integers(len(negs))]
            h, w = film.image.shape[:2]
            x0 = (g[0] + g[2]) / 2 - rng.uniform(0.2, 0.8) * side
            y0 = (g[1] + g[3]) / 2 - rng.uniform(0.2, 0.8) * side
            return (int(np.clip(round(x0), 0, max(w - side, 0))), int(np.clip(round(y0), 0, max(h - side, 0))))
        return super()._origin(film, side, rng, positive)


def _reviewed_train_film(rf: ReviewedFilm, pixel_mm: float,
                         inputs: tuple[str, ...] = ("film",)) -> tuple[TrainFilm, np.ndarray]:
    from mammoviewer.detect.preprocess import prepare, to_model_frame
    from mammoviewer.io import load_image

    mi = prepare(load_image(rf.path), pixel_mm, multiple=1, inputs=inputs)
    img = np.round((mi.array if mi.planes is None else mi.planes) * 255.0).astype(np.uint8)
    boxes = to_model_frame(np.array([b for b, _ in rf.truth], dtype=np.float64).reshape(-1, 4), mi)
    labels = np.array([md.LABELS.index(lab) + 1 for _, lab in rf.truth], dtype=np.int32)
    negs = to_model_frame(np.array(rf.negatives, dtype=np.float64).reshape(-1, 4), mi)
    return TrainFilm(rf.ref, img, boxes, labels), negs


def _outside(reviewed: list[ReviewedFilm], holdout: set[str], images: str | None) -> list[ReviewedFilm]:
    """The reviewed films that are none of the held-out films (by name, and by pixels where known)."""
    keep = [r for r in reviewed if r.ref not in holdout]
    if images and holdout and any(r.content_hash for r in keep):
        from mammoviewer.review.identity import identify_file

        held = {found[0] for ref in holdout
                if (path := md.film_path(Path(images), ref)) and (found := identify_file(path))}  # fmt: skip
        keep = [r for r in keep if r.content_hash not in held]
    return keep


def finetune(cfg: FinetuneConfig, progress: Progress | None = None,
             cancel: threading.Event | None = None) -> FinetuneReport:
    """Fine-tune ``cfg.model`` on the reviewed films of ``cfg.store``; write ``cfg.out`` with its card."""
    from mammoviewer.keras_runtime import keras

    from mammoviewer.detect.detector import Detector
    from mammoviewer.detect.evaluation import evaluate, predict_films
    from mammoviewer.detect.losses import SSDLoss

    t0 = time.perf_counter()
    say = progress or (lambda msg, frac: None)
    model_path, card_path = resolve_model_paths(cfg.model)
    out = Path(cfg.out)
    if out.resolve() in (model_path.parent.resolve(), default_model_path().parent.resolve()) or \
            out.resolve() == model_path.resolve():
        raise DetectorError(f"{out}: refusing to overwrite the model being retrained or the bundled model")
    card = json.loads(card_path.read_text())
    spec = AnchorSpec.from_dict(card["anchors"])
    pixel_mm = float(card["pixel_mm"])
    inputs = tuple(card.get("inputs") or ("film",))
    split_path = model_path.parent / "split.json"
    split = md.load_split(split_path) if split_path.is_file() else None
    all_films = md.mias_films(cfg.images, cfg.info or str(Path(cfg.images) / "Info.txt")) if cfg.images else []
    check = comparison_films(card, split, [f.ref for f in all_films], cfg.holdout, cfg.holdout_fold)
    holdout = set(check.refs) | set(cfg.holdout or [])

    reviewed = _outside(reviewed_films(cfg.store), holdout, cfg.images)
    if not reviewed:
        raise DetectorError(f"{cfg.store}: no reviewed films outside the held-out patients to learn from")
    say(f"{len(reviewed)} reviewed films", 0.02)
    films: list[TrainFilm] = []
    negatives: dict[str, np.ndarray] = {}
    for rf in reviewed:
        tf_, negs = _reviewed_train_film(rf, pixel_mm, inputs)
        films.append(tf_)
        negatives[rf.ref] = negs
    originals: list[TrainFilm] = []
    heldout_films: list[md.Film] = []
    if cfg.images:
        reviewed_refs = {r.ref for r in reviewed}
        keep = [f for f in all_films if f.ref not in holdout and f.ref not in reviewed_refs]
        heldout_films = [f for f in all_films if f.ref in holdout]
        cache = md.load_cache(keep, pixel_mm, cfg.cache_dir, inputs=inputs)
        for f in keep:
            img, sx, sy = cache[f.ref]
            boxes = np.array([l.box for l in f.lesions], dtype=np.float64).reshape(-1, 4) * [sx, sy, sx, sy]
            originals.append(TrainFilm(f.ref, img, boxes, np.array([l.class_id for l in f.lesions], np.int32)))
    # Reviewed films are repeated so that they make up about ``reviewed_weight`` of the draws.
    repeat = max(1, int(round(cfg.reviewed_weight * max(len(originals), 1) / max(len(films), 1)))) \
        if originals else 1
    sampler = HardNegativeSampler(originals + films * repeat, spec, CropConfig(), negatives, cfg.hard_fraction)

    keras.utils.set_random_seed(cfg.seed)
    model = keras.models.load_model(model_path, compile=False, safe_mode=True)
    model.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate, clipnorm=5.0), loss=SSDLoss())
    total = cfg.epochs * cfg.steps_per_epoch
    losses = []
    for step in range(total):
        if cancel is not None and cancel.is_set():
            raise DetectorError(f"{out}: retraining cancelled; nothing was written")
        x, y = sampler.batch(cfg.batch_size, np.random.default_rng([cfg.seed, step]))
        losses.append(float(model.train_on_batch(x, y)))
        if not np.isfinite(losses[-1]):
            raise DetectorError(f"{out}: retraining diverged (loss {losses[-1]})")
        say(f"step {step + 1}/{total} loss {losses[-1]:.3f}", 0.05 + 0.8 * (step + 1) / total)

    out.mkdir(parents=True, exist_ok=True)
    from mammoviewer.detect.light_export import save_model

    save_model(model, out / MODEL_FILE)  # and its ONNX twin, from the same save
    if split is not None:
        (out / "split.json").write_text(split_path.read_text())
    (out / CARD_FILE).write_text(card_path.read_text())  # provisional card, so the new model loads for scoring
    before = after = {}
    if heldout_films:
        say(f"scoring old and new model on {len(heldout_films)} held-out films", 0.86)
        before = evaluate(predict_films(Detector.load(model_path), heldout_films))
        after = evaluate(predict_films(Detector.load(out / MODEL_FILE), heldout_films))
    report = FinetuneReport(out / MODEL_FILE, before, after, len(reviewed),
                            sum(len(r.truth) for r in reviewed), sum(len(r.negatives) for r in reviewed),
                            sorted(f.ref for f in heldout_films), time.perf_counter() - t0,
                            check.description if heldout_films else "", check.bias if heldout_films else None)
    new_card = dict(card)
    new_card["name"] = out.name
    new_card["version"] = f"{card.get('version', '0')}+ft"
    seen = train_patients(card)
    if seen is not None:  # the new model has also seen the reviewed films' patients
        new_card["training"] = dict(card.get("training", {}), train_patients=sorted(
            seen | {p for r in reviewed if (p := patient_or_none(r.ref)) is not None}))
    new_card["weights_origin"] = (f"{card.get('weights_origin', 'the base model')}; then fine-tuned on the "
                                  "reader-reviewed films in retraining.reviewed_films")
    new_card["retraining"] = {
        "base_model": str(model_path), "base_model_name": card.get("name"),
        "base_version": card.get("version"), "store": str(Path(cfg.store).resolve()),
        "reviewed_films": sorted(r.ref for r in reviewed),
        "truth_boxes": report.truth_boxes, "hard_negatives": report.hard_negatives,
        "original_films": len(originals),
        "heldout_films": report.heldout_films,
        "heldout_patients": sorted({p for r in report.heldout_films if (p := patient_or_none(r)) is not None}),
        "comparison": report.comparison, "bias": report.bias,
        "steps": total, "batch_size": cfg.batch_size, "learning_rate": cfg.learning_rate,
        "loss_first_last": [losses[0], losses[-1]], "seconds": round(report.seconds, 1),
        "before": before, "after": after, "not_worse": report.not_worse if heldout_films else None,
    }
    (out / CARD_FILE).write_text(json.dumps(_json_safe(new_card), indent=1) + "\n")
    say("done", 1.0)
    return report


def _json_safe(obj):
    from mammoviewer.detect.evaluation import clean

    return clean(obj)

"""Train an SSD on MIAS crops: deterministic with a seed, resumable from a checkpoint, with a progress bar."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from mammoviewer.detect import data as md
from mammoviewer.detect.anchors import AnchorSpec, anchor_spec_for
from mammoviewer.detect.detector import CARD_FILE, MODEL_FILE
from mammoviewer.detect.sampler import CropConfig, CropSampler, TrainFilm
from mammoviewer.errors import DetectorError
from mammoviewer.progress import Bar

SPLIT_FILE = "split.json"


@dataclass
class TrainConfig:
    images: str
    info: str
    out: str
    data: tuple[str, ...] = ()  # --data sources (mammoviewer.detect.sources); empty: the MIAS images/info
    source_weights: dict[str, float] = field(default_factory=dict)  # crop-drawing weight of a source's films
    init: str | None = None  # a trained model whose weights training starts from (mammoviewer.detect.warm_start)
    backbone: str = "light"
    backbone_weights: str | None = None  # squeezenet: ImageNet HDF5 (default: the shared file)
    freeze: str = "none"  # squeezenet: last pretrained block kept fixed (none, conv1, fire3, fire5, fire9)
    epochs: int = 30
    steps_per_epoch: int = 100
    batch_size: int = 16
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    min_negatives: float = 8.0  # hard negatives kept per crop even when it holds no lesion
    label_weight: float = 1.0  # weight of -log p(class | lesion) in the loss (1: plain softmax cross-entropy)
    focal_gamma: float = 0.0  # > 0: focal loss over every anchor instead of hard negative mining
    seed: int = 0
    fold: int | None = None  # validation fold held out; None trains on every patient
    folds: int = 5
    split: str | None = None  # split file to reuse (default: OUT/split.json, created if missing)
    pixel_mm: float = 0.4
    width: float = 1.0
    inputs: tuple[str, ...] = ("film",)  # input planes (mammoviewer.detect.preprocess.INPUTS), film first
    cache_dir: str = ".work/idbll-cache"
    checkpoint_dir: str | None = None  # default: .work/checkpoints/<out name>
    name: str | None = None
    version: str = "1.0"
    crop: CropConfig = field(default_factory=CropConfig)
    verbose: int = 1

    def __post_init__(self) -> None:
        """The film renderings among ``inputs`` (the film, the other breast) share the contrast jitter."""
        from mammoviewer.detect.preprocess import RENDERINGS

        self.inputs = tuple(self.inputs)
        self.data = tuple(self.data)
        planes = tuple(i for i, name in enumerate(self.inputs) if name in RENDERINGS)
        self.crop = replace(self.crop, jitter_planes=planes)


def _checkpoint_dir(cfg: TrainConfig) -> Path:
    if cfg.checkpoint_dir:
        return Path(cfg.checkpoint_dir)
    out = Path(cfg.out).resolve()
    return Path(cfg.cache_dir).parent / "checkpoints" / f"{out.parent.name}-{out.name}"


def _weights_path(cfg: TrainConfig) -> str | None:
    """The pretrained weights to start from: only the squeezenet backbone has any."""
    if cfg.backbone != "squeezenet":
        return None
    from mammoviewer.detect.squeezenet import DEFAULT_WEIGHTS

    return cfg.backbone_weights or str(DEFAULT_WEIGHTS)


def resolve_split(cfg: TrainConfig, films: list[md.Film]) -> dict:
    """Reuse the split file if there is one, else make it; it is always written next to the model.

    A split that lacks some of the films (say MIAS folds, training on MIAS and DDSM) is extended: its films
    keep their folds and the other sources' patients are dealt into the same folds.
    """
    out_split = Path(cfg.out) / SPLIT_FILE
    src = Path(cfg.split) if cfg.split else out_split
    if src.is_file():
        split = md.load_split(src)
        listed = {r for f in split["folds"] for r in f["films"]}
        if any(f.ref not in listed for f in films):
            split = md.joint_split(films, len(split["folds"]), cfg.seed, base=split)
    elif all(f.domain == "mias" for f in films):
        split = md.make_split(films, cfg.folds, cfg.seed)
    else:
        split = md.joint_split(films, cfg.folds, cfg.seed)
    md.save_split(split, out_split)
    return split


def load_films(cfg: TrainConfig) -> list[md.Film]:
    """The training films: the ``--data`` sources, else the MIAS folder."""
    if cfg.data:
        from mammoviewer.detect.sources import load_sources

        return load_sources(list(cfg.data))
    return md.mias_films(cfg.images, cfg.info)


def film_weights(films: list[TrainFilm], domains: dict[str, str], weights: dict[str, float]) -> list[float] | None:
    """Crop-drawing weight of each film from its source's weight (None: every film alike)."""
    if not weights:
        return None
    return [float(weights.get(domains[f.ref], 1.0)) for f in films]


def patients_by_source(films: list[md.Film], refs: set[str]) -> dict[str, list]:
    """The patients of ``refs``, per source."""
    out: dict[str, set] = {}
    for f in films:
        if f.ref in refs:
            out.setdefault(f.domain, set()).add(f.patient)
    return {d: sorted(p, key=str) for d, p in sorted(out.items())}


def training_films(films: list[md.Film], refs: set[str], cfg: TrainConfig, progress=None) -> list[TrainFilm]:
    chosen = [f for f in films if f.ref in refs]
    cache = md.load_cache(chosen, cfg.pixel_mm, cfg.cache_dir, progress, inputs=tuple(cfg.inputs))
    out = []
    for f in chosen:
        img, sx, sy = cache[f.ref]
        boxes = np.array([l.box for l in f.lesions], dtype=np.float64).reshape(-1, 4) * [sx, sy, sx, sy]
        labels = np.array([l.class_id for l in f.lesions], dtype=np.int32)
        out.append(TrainFilm(f.ref, img, boxes, labels))
    return out


def _batches(sampler: CropSampler, cfg: TrainConfig, epoch: int):
    """The batches of ``epoch``: batch ``i`` is drawn from ``rng(seed, epoch, i)``, identical after a resume.

    The next batch is drawn on a helper thread while the model trains on the current one.
    """
    from concurrent.futures import ThreadPoolExecutor

    def draw(i: int):
        return sampler.batch(cfg.batch_size, np.random.default_rng([cfg.seed, epoch, i]))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crops") as pool:
        pending = pool.submit(draw, 0)
        for i in range(cfg.steps_per_epoch):
            batch = pending.result()
            if i + 1 < cfg.steps_per_epoch:
                pending = pool.submit(draw, i + 1)
            yield batch


#: where the weights of a model without pretrained ones (light or vgg16 backbone) come from, and their terms
FROM_SCRATCH = ("no pretrained weights: every weight trained from random initialisation on the mini-MIAS films "
                "of the patients in training.train_patients; mini-MIAS is licensed for research use only (MIAS "
                "licence agreement, resources/samples/README.md), and so is a model trained on it")


def build_card(cfg: TrainConfig, spec: AnchorSpec, extra: dict) -> dict:
    card = {
        "name": cfg.name or Path(cfg.out).name,
        "version": cfg.version,
        "backbone": cfg.backbone,
        "pixel_mm": cfg.pixel_mm,
        "input_multiple": spec.multiple,
        "inputs": list(cfg.inputs),
        "labels": list(md.LABELS),
        "anchors": spec.to_dict(),
        "default_threshold": 0.5,
        "nms_iou": 0.3,
        "score_mode": "lesion",
        "containment": 0.7,
        "breast_mask": True,
        "tta": ["hflip"],
        "max_detections": 100,
        "training": extra,
    }
    if cfg.backbone == "squeezenet":
        from mammoviewer.detect.squeezenet import ORIGIN

        card["pretrained"] = {**ORIGIN, "frozen_up_to": cfg.freeze}
        card["weights_origin"] = (f"{ORIGIN['weights']}, fine-tuned on the mini-MIAS films of the patients in "
                                  "training.train_patients (mini-MIAS: research use only)")
    else:
        card["weights_origin"] = FROM_SCRATCH
    sources = extra.get("sources") or ["mias"]
    if sources != ["mias"]:
        from mammoviewer.detect.sources import dataset_notes

        card["datasets"] = dataset_notes(sources)
        card["weights_origin"] = (card["weights_origin"].split(" on the mini-MIAS films")[0]
                                  + " on the films of the patients in training.train_patients_by_source, from "
                                  + ", ".join(sources) + " (see \"datasets\" for each one's terms); research use only")
    return card


def train(cfg: TrainConfig, command: str = "") -> Path:
    """Train (or resume) and write ``OUT/model.keras``, ``OUT/model.json`` and ``OUT/split.json``."""
    from mammoviewer.keras_runtime import keras

    from mammoviewer.detect.losses import SSDLoss
    from mammoviewer.detect.model import build_ssd

    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    films = load_films(cfg)
    split = resolve_split(cfg, films)
    train_refs, val_refs = md.fold_refs(split, cfg.fold)
    log = (lambda *a: print(*a, flush=True)) if cfg.verbose else (lambda *a: None)
    log(f"train: {len(train_refs)} films for training, {len(val_refs)} held out (fold {cfg.fold})")
    tfilms = training_films(films, train_refs, cfg)
    if not tfilms:
        raise DetectorError(f"{cfg.info}: no films left to train on (fold {cfg.fold} of the split holds every patient)")
    spec = anchor_spec_for(cfg.pixel_mm)
    domains = {f.ref: f.domain for f in films}
    sampler = CropSampler(tfilms, spec, cfg.crop, weights=film_weights(tfilms, domains, cfg.source_weights))

    ckdir = _checkpoint_dir(cfg)
    ckdir.mkdir(parents=True, exist_ok=True)
    ckpt, state_path = ckdir / "checkpoint.keras", ckdir / "state.json"
    keras.utils.set_random_seed(cfg.seed)
    state = {"epoch": 0, "seconds": 0.0, "history": []}
    if ckpt.is_file() and state_path.is_file():
        state = json.loads(state_path.read_text())
        model = keras.models.load_model(ckpt, safe_mode=True)
        log(f"train: resuming from {ckpt} at epoch {state['epoch']}")
    else:
        model = build_ssd(cfg.backbone, spec, width=cfg.width, channels=len(cfg.inputs),
                          backbone_weights=_weights_path(cfg), freeze=cfg.freeze)
        if cfg.init:
            from mammoviewer.detect.warm_start import load_init

            state["init"] = load_init(model, cfg.init)
            log(f"train: starting from the weights of {cfg.init}")
        total = cfg.epochs * cfg.steps_per_epoch
        warm = min(200, max(total // 10, 1))
        schedule = keras.optimizers.schedules.CosineDecay(
            cfg.learning_rate * 0.05, max(total - warm, 1), alpha=0.02,
            warmup_target=cfg.learning_rate, warmup_steps=warm)
        model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=cfg.weight_decay, clipnorm=5.0),
                      loss=SSDLoss(min_negatives=cfg.min_negatives, label_weight=cfg.label_weight,
                                   focal_gamma=cfg.focal_gamma))
    # One train_on_batch per crop batch: Keras's fit() over a PyDataset cost 3-4 times more per step here.
    for epoch in range(state["epoch"], cfg.epochs):
        t0 = time.time()
        bar = Bar(cfg.steps_per_epoch, f"epoch {epoch + 1}/{cfg.epochs}", unit="batch",
                  enabled=None if cfg.verbose else False)
        losses = []
        for i, (x, y) in enumerate(_batches(sampler, cfg, epoch)):
            losses.append(float(np.asarray(model.train_on_batch(x, y)).reshape(-1)[0]))
            bar.update(note=f"loss {losses[-1]:.4f}")
        bar.close()
        state["seconds"] += time.time() - t0
        state["epoch"] = epoch + 1
        state["history"].append({"epoch": epoch + 1, "loss": float(np.mean(losses))})
        model.save(ckpt)
        state_path.write_text(json.dumps(state))
        left = (cfg.epochs - epoch - 1) * state["seconds"] / max(len(state["history"]), 1)
        log(f"train: epoch {epoch + 1}/{cfg.epochs} loss {state['history'][-1]['loss']:.4f} "
            f"elapsed {state['seconds'] / 60:.1f} min, ETA {left / 60:.1f} min")
    history = state["history"]
    if not history or not np.isfinite(history[-1]["loss"]):
        raise DetectorError(f"{out}: training diverged (loss {history[-1]['loss'] if history else 'n/a'})")

    export = build_ssd(cfg.backbone, spec, width=cfg.width, channels=len(cfg.inputs), freeze=cfg.freeze)
    export.set_weights(model.get_weights())
    from mammoviewer.detect.light_export import save_model

    save_model(export, out / MODEL_FILE)  # and its ONNX twin, from the same save
    cfg_dict = asdict(cfg)
    cfg_dict["crop"] = asdict(cfg.crop)
    extra = {
        "command": command,
        "config": cfg_dict,
        "fold_held_out": cfg.fold,
        "train_patients": sorted({f.patient for f in films if f.ref in train_refs and f.domain == "mias"}),
        "train_patients_by_source": patients_by_source(films, train_refs),
        "sources": sorted({f.domain for f in films if f.ref in train_refs}),
        "train_films": len(train_refs),
        "epochs": cfg.epochs,
        "crops_seen": cfg.epochs * cfg.steps_per_epoch * cfg.batch_size,
        "seconds": round(state["seconds"], 1),
        "hardware": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, no GPU",
        "final_loss": history[-1]["loss"],
        "loss_history": [round(h["loss"], 5) for h in history],
        "params": int(export.count_params()),
    }
    if state.get("init"):
        from mammoviewer.detect.warm_start import merge_patients

        merge_patients(extra, state["init"])
    card_path = out / CARD_FILE
    card = build_card(cfg, spec, extra)
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    log(f"train: wrote {out / MODEL_FILE} ({(out / MODEL_FILE).stat().st_size / 1e6:.1f} MB) and {card_path}")
    return out / MODEL_FILE

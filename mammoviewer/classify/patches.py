"""Patch mode: a tiny classifier of tissue patches, aggregated to the film.

Training patches come from prepared films (chest wall on the left, ``pixel_mm`` pixels): jittered
windows centred on each located finding carry its label (benign / malignant); random tissue windows
away from every finding, on films whose findings all have coordinates, are "normal". A film is
scored by sliding the patch model over its tissue (``stride``) and averaging the probabilities of
the ``top_k`` most abnormal windows (abnormal = 1 - p(normal)).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Callable

import cv2
import numpy as np

from mammoviewer.classify.augment import AugmentSettings, augment
from mammoviewer.classify.data import CaseFilm
from mammoviewer.classify.model import ModelSettings, build_model, run_model

TISSUE_LEVEL = 0.05  # a pixel brighter than this is tissue (background is black after render)


@dataclass(frozen=True, slots=True)
class PatchSettings:
    patch: int = 64
    stride: int = 16
    top_k: int = 3
    per_lesion: int = 6  # jittered windows per finding and epoch
    normal_per_film: int = 3  # tissue windows per film and epoch
    hard_per_film: int = 2  # the film's most abnormal-looking normal windows, re-mined every ``mine_every``
    mine_every: int = 8
    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 2e-3
    seed: int = 0
    width: int = 16
    standardise: bool = False  # each window to zero mean, unit contrast (local structure, not density)
    augment: AugmentSettings = field(default_factory=lambda: AugmentSettings(shift=0.0))


def standardise(windows: np.ndarray) -> np.ndarray:
    """``(w - mean) / (std + 0.05)`` per window of ``[..., patch, patch]``."""
    w = np.asarray(windows, dtype=np.float32)
    mean = w.mean(axis=(-2, -1), keepdims=True)
    std = w.std(axis=(-2, -1), keepdims=True)
    return ((w - mean) / (std + 0.05)).astype(np.float32)


def lesion_points(film: CaseFilm, flipped: bool, scale: float, side: int) -> list[tuple[float, float, float, int]]:
    """Findings of a square film as (x, y, radius, class) in prepared-input pixels (``side`` wide)."""
    out = []
    for col, row, radius, cls in film.lesions:
        x, y = col * scale, row * scale
        out.append((side - x if flipped else x, y, radius * scale, cls))
    return out


def crop(picture: np.ndarray, cx: float, cy: float, size: int) -> np.ndarray:
    """``size`` x ``size`` window centred on (cx, cy), zero outside the picture."""
    h, w = picture.shape
    x0, y0 = int(round(cx - size / 2)), int(round(cy - size / 2))
    out = np.zeros((size, size), np.float32)
    xs, ys = max(0, x0), max(0, y0)
    xe, ye = min(w, x0 + size), min(h, y0 + size)
    if xe > xs and ye > ys:
        out[ys - y0 : ye - y0, xs - x0 : xe - x0] = picture[ys:ye, xs:xe]
    return out


def _view(picture: np.ndarray, cx: float, cy: float, s: PatchSettings, rng: np.random.Generator) -> np.ndarray:
    """An augmented patch: a 1.5x window is rotated/zoomed/jittered, then its centre is kept."""
    big = int(math.ceil(s.patch * 1.5))
    window = augment(crop(picture, cx, cy, big), rng, s.augment)
    o = (big - s.patch) // 2
    return window[o : o + s.patch, o : o + s.patch]


def sample_patches(
    x: np.ndarray, films: list[CaseFilm], flipped: np.ndarray, scale: np.ndarray,
    s: PatchSettings, rng: np.random.Generator, hard: list[list[tuple[float, float]]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of training patches ``[M, patch, patch]`` and class indices ``[M]``.

    ``hard`` gives extra normal window centres per film (mined hard negatives).
    """
    patches, labels = [], []
    side = x.shape[2]
    for n, (pic, film, fl, sc) in enumerate(zip(x, films, flipped, scale)):
        for cx, cy in (hard[n] if hard else []):
            patches.append(_view(pic, cx, cy, s, rng))
            labels.append(0)
        points = lesion_points(film, bool(fl), float(sc), side)
        for px, py, r, cls in points:
            jit = min(max(r / 2.0, 2.0), s.patch / 5.0)
            for _ in range(s.per_lesion):
                cx, cy = px + rng.uniform(-jit, jit), py + rng.uniform(-jit, jit)
                patches.append(_view(pic, cx, cy, s, rng))
                labels.append(cls)
        if film.unlocated:
            continue
        ys, xs = np.nonzero(pic > TISSUE_LEVEL)
        if ys.size == 0:
            continue
        taken, tries = 0, 0
        while taken < s.normal_per_film and tries < 50:
            tries += 1
            i = int(rng.integers(ys.size))
            cx, cy = float(xs[i]), float(ys[i])
            if any(math.hypot(cx - px, cy - py) < r + s.patch / 4 for px, py, r, _ in points):
                continue
            if crop(pic, cx, cy, s.patch).mean() < 2 * TISSUE_LEVEL:
                continue
            patches.append(_view(pic, cx, cy, s, rng))
            labels.append(0)
            taken += 1
    return np.stack(patches).astype(np.float32), np.array(labels, dtype=np.intp)


def window_centres(picture: np.ndarray, patch: int, stride: int) -> np.ndarray:
    """``[M, 2]`` (x, y) centres of the ``patch`` windows at ``stride`` over the picture."""
    h, w = picture.shape
    return np.array([
        (x + patch / 2, y + patch / 2)
        for y in range(0, max(h - patch, 0) + 1, stride)
        for x in range(0, max(w - patch, 0) + 1, stride)
    ])


def film_windows(picture: np.ndarray, patch: int, stride: int, centres: bool = False):
    """Every ``patch`` window at ``stride`` over the tissue of one prepared film, ``[M, patch, patch]``.

    A window counts as tissue when half its pixels are; if none does, every window is returned.
    With ``centres`` also returns their ``[M, 2]`` (x, y) centres.
    """
    c = window_centres(picture, patch, stride)
    wins = np.stack([crop(picture, x, y, patch) for x, y in c])
    tissue = (wins > TISSUE_LEVEL).mean(axis=(1, 2)) >= 0.5
    keep = tissue if tissue.any() else np.ones(len(wins), bool)
    return (wins[keep], c[keep]) if centres else wins[keep]


def mine_hard_normals(
    model, x: np.ndarray, films: list[CaseFilm], flipped: np.ndarray, scale: np.ndarray, s: PatchSettings,
) -> list[list[tuple[float, float]]]:
    """Per film, the centres of its ``hard_per_film`` most abnormal-scored windows away from any finding."""
    out: list[list[tuple[float, float]]] = []
    side = x.shape[2]
    for pic, film, fl, sc in zip(x, films, flipped, scale):
        if film.unlocated:
            out.append([])
            continue
        wins, cen = film_windows(pic, s.patch, s.stride, centres=True)
        points = lesion_points(film, bool(fl), float(sc), side)
        far = np.array([all(math.hypot(cx - px, cy - py) >= r + s.patch / 4 for px, py, r, _ in points)
                        for cx, cy in cen])
        if not far.any():
            out.append([])
            continue
        w = standardise(wins[far]) if s.standardise else wins[far]
        q = run_model(model, w[..., None])
        order = np.argsort(q[:, 0], kind="mergesort")[: s.hard_per_film]
        out.append([tuple(map(float, cen[far][i])) for i in order])
    return out


def aggregate(window_probs: np.ndarray, top_k: int) -> np.ndarray:
    """Film probabilities: the mean of the ``top_k`` windows with the highest 1 - p(normal)."""
    p = np.asarray(window_probs, dtype=np.float64)
    order = np.argsort(p[:, 0], kind="mergesort")[: max(1, top_k)]
    out = p[order].mean(axis=0)
    return out / out.sum()


def predict_films(model, x: np.ndarray, s: PatchSettings, batch_size: int = 256, windows: list | None = None) -> np.ndarray:
    """``[N, 3]`` film probabilities of prepared films ``[N, size, size]`` (windows and their mirrors).

    With a ``windows`` list, each film's ``[M, 3]`` window probabilities are appended to it.
    """
    wins = [film_windows(pic, s.patch, s.stride) for pic in x]
    flat = np.concatenate(wins)
    flat = (standardise(flat) if s.standardise else flat)[..., None]
    q = (run_model(model, flat, batch_size) + run_model(model, np.ascontiguousarray(flat[:, ::-1]), batch_size)) / 2.0
    bounds = np.cumsum([0] + [len(w) for w in wins])
    if windows is not None:
        windows.extend(q[a:b] for a, b in zip(bounds[:-1], bounds[1:]))
    return np.stack([aggregate(q[a:b], s.top_k) for a, b in zip(bounds[:-1], bounds[1:])])


def train_patches(
    x: np.ndarray, films: list[CaseFilm], flipped: np.ndarray, scale: np.ndarray,
    s: PatchSettings = PatchSettings(), progress: Callable[[int, float], None] | None = None,
):
    """Train a fresh patch model; returns ``(model, history)`` (mean loss per epoch)."""
    from mammoviewer.keras_runtime import keras

    from mammoviewer.classify.training import class_weights

    rng = np.random.default_rng(s.seed)
    model = build_model(ModelSettings(size=s.patch, width=s.width), seed=s.seed)
    xp, yp = sample_patches(x, films, flipped, scale, s, rng)
    steps = max(1, math.ceil(len(yp) / s.batch_size)) * s.epochs
    lr = keras.optimizers.schedules.CosineDecay(s.learning_rate, decay_steps=steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy")
    losses: list[float] = []
    hard = None
    for epoch in range(s.epochs):
        if s.hard_per_film and epoch and epoch % s.mine_every == 0:
            hard = mine_hard_normals(model, x, films, flipped, scale, s)
        if epoch:
            xp, yp = sample_patches(x, films, flipped, scale, s, rng, hard)
        xin = standardise(xp) if s.standardise else xp
        hist = model.fit(xin[..., None], yp, batch_size=s.batch_size, epochs=epoch + 1, initial_epoch=epoch,
                         class_weight=class_weights(yp), shuffle=True, verbose=0)
        losses.append(float(hist.history["loss"][-1]))
        if progress is not None:
            progress(epoch, losses[-1])
    return model, {"loss": losses, "settings": asdict(s), "patches_per_epoch": int(len(yp))}

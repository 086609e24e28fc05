"""Training the case classifier: class-weighted cross-entropy, fresh augmentation every epoch, seeded."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from mammoviewer.classify.augment import AugmentSettings, augment_batch
from mammoviewer.classify.model import ModelSettings, build_model, run_model


@dataclass(frozen=True, slots=True)
class TrainSettings:
    epochs: int = 60
    batch_size: int = 16
    learning_rate: float = 2e-3
    seed: int = 0
    balance: bool = True  # class weights n / (3 * n_class)
    model: ModelSettings = field(default_factory=ModelSettings)
    augment: AugmentSettings = field(default_factory=AugmentSettings)


def class_weights(y: np.ndarray, n_classes: int = 3) -> dict[int, float]:
    """Inverse-frequency weights ``n / (k * n_c)`` (classes absent from ``y`` get 1)."""
    counts = np.bincount(np.asarray(y, dtype=np.intp), minlength=n_classes)
    return {c: float(y.size / (n_classes * counts[c])) if counts[c] else 1.0 for c in range(n_classes)}


def train(
    x: np.ndarray,
    y: np.ndarray,
    s: TrainSettings = TrainSettings(),
    progress: Callable[[int, float], None] | None = None,
):
    """Train a fresh model on ``x`` ``[N, size, size]`` in [0, 1] and class indices ``y``.

    Returns ``(model, history)`` where history holds the mean training loss per epoch.
    """
    from mammoviewer.keras_runtime import keras

    y = np.asarray(y, dtype=np.intp)
    if x.ndim != 3 or x.shape[0] != y.size or x.shape[1] != s.model.size:
        raise ValueError(f"x must be [N, {s.model.size}, {s.model.size}] with N = len(y); got {x.shape}")
    model = build_model(s.model, seed=s.seed)
    steps = max(1, math.ceil(y.size / s.batch_size)) * s.epochs
    lr = keras.optimizers.schedules.CosineDecay(s.learning_rate, decay_steps=steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(s.seed)
    cw = class_weights(y) if s.balance else None
    losses: list[float] = []
    for epoch in range(s.epochs):
        xa = augment_batch(x, rng, s.augment)[..., None]
        hist = model.fit(
            xa, y, batch_size=s.batch_size, epochs=epoch + 1, initial_epoch=epoch,
            class_weight=cw, shuffle=True, verbose=0,
        )
        losses.append(float(hist.history["loss"][-1]))
        if progress is not None:
            progress(epoch, losses[-1])
    return model, {"loss": losses, "settings": settings_dict(s)}


def settings_dict(s: TrainSettings) -> dict:
    return asdict(s)


def predict(model, x: np.ndarray, tta: bool = True, batch_size: int = 32) -> np.ndarray:
    """``[N, 3]`` probabilities; with ``tta`` the mean over the film and its vertical mirror."""
    x = np.asarray(x, dtype=np.float32)[..., None]
    p = run_model(model, x, batch_size)
    if tta:
        p = (p + run_model(model, np.ascontiguousarray(x[:, ::-1]), batch_size)) / 2.0
    return np.asarray(p, dtype=np.float64)

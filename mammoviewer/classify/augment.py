"""Training-time augmentation of prepared films (numpy + OpenCV, seeded).

Small shifts and rotations, vertical flips (the chest wall stays on the left), and
contrast/gamma jitter. Inputs and outputs are float32 ``[size, size]`` in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True, slots=True)
class AugmentSettings:
    shift: float = 0.04  # fraction of the side
    rotate_deg: float = 6.0
    scale: float = 0.06  # zoom in/out by up to this fraction
    gamma: float = 0.25  # log-uniform gamma in [1/(1+g), 1+g]
    contrast: float = 0.12
    vflip: bool = True


def augment(picture: np.ndarray, rng: np.random.Generator, s: AugmentSettings = AugmentSettings()) -> np.ndarray:
    """One random variant of ``picture``."""
    size_r, size_c = picture.shape
    angle = rng.uniform(-s.rotate_deg, s.rotate_deg)
    zoom = 1.0 + rng.uniform(-s.scale, s.scale)
    m = cv2.getRotationMatrix2D((size_c / 2.0, size_r / 2.0), angle, zoom)
    m[0, 2] += rng.uniform(-s.shift, s.shift) * size_c
    m[1, 2] += rng.uniform(-s.shift, s.shift) * size_r
    out = cv2.warpAffine(picture, m, (size_c, size_r), flags=cv2.INTER_LINEAR, borderValue=0.0)
    if s.vflip and rng.random() < 0.5:
        out = out[::-1, :]
    g = np.exp(rng.uniform(-np.log1p(s.gamma), np.log1p(s.gamma)))
    out = np.clip(out, 0.0, 1.0) ** g
    c = 1.0 + rng.uniform(-s.contrast, s.contrast)
    out = np.clip((out - 0.5) * c + 0.5, 0.0, 1.0) * (out > 0)  # background stays black
    return np.ascontiguousarray(out, dtype=np.float32)


def augment_batch(x: np.ndarray, rng: np.random.Generator, s: AugmentSettings = AugmentSettings()) -> np.ndarray:
    """``augment`` each item of ``[N, size, size]``."""
    return np.stack([augment(p, rng, s) for p in x])

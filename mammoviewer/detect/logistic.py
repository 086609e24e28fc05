"""An L2-regularised logistic rule on named features: the detector's second stage re-scores candidates with it.

Fitted by Newton's method on standardised features (a few thousand candidates, about a hundred of them
lesions, so a linear rule with a prior on its weights is what the data can carry). The rule lives in the
model card as plain numbers (:meth:`LogisticRule.to_dict`), so it is read and checked like the rest of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


@dataclass(frozen=True)
class LogisticRule:
    """p(lesion) = sigmoid(bias + weights . (features - mean) / sd)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    sd: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64).reshape(-1, len(self.features))
        z = (x - np.asarray(self.mean)) / np.asarray(self.sd)
        return _sigmoid(z @ np.asarray(self.weights) + self.bias)

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": [round(v, 6) for v in self.mean],
                "sd": [round(v, 6) for v in self.sd], "weights": [round(v, 6) for v in self.weights],
                "bias": round(self.bias, 6)}

    @classmethod
    def from_dict(cls, d: dict, features: tuple[str, ...]) -> "LogisticRule":
        """The rule of a model card; ValueError unless it names exactly ``features`` with finite numbers."""
        try:
            names = tuple(str(f) for f in d["features"])
            vals = [tuple(float(v) for v in d[k]) for k in ("mean", "sd", "weights")]
            bias = float(d["bias"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"second-stage rule not readable ({exc})") from None
        if names != tuple(features):
            raise ValueError(f"second-stage rule is for features {list(names)}, expected {list(features)}")
        if any(len(v) != len(names) for v in vals) or not all(np.isfinite(np.concatenate(
                [np.asarray(v) for v in vals] + [[bias]]))) or min(vals[1]) <= 0:
            raise ValueError("second-stage rule has wrong lengths, non-finite numbers or a zero sd")
        return cls(names, vals[0], vals[1], vals[2], bias)


def fit(x: np.ndarray, y: np.ndarray, features: tuple[str, ...], l2: float = 1.0,
        iterations: int = 50) -> LogisticRule:
    """The logistic rule for candidates ``x`` ``[N, F]`` with labels ``y`` (1 = lesion), penalty ``l2`` on
    the standardised weights (not on the bias)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 1e-9, sd, 1.0)
    z = np.hstack([(x - mean) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    w[-1] = np.log((y.sum() + 0.5) / (len(y) - y.sum() + 0.5))
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = _sigmoid(z @ w)
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return LogisticRule(tuple(features), tuple(mean), tuple(sd), tuple(w[:-1]), float(w[-1]))

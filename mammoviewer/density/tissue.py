"""The tissue class F / G / D from the density features: a small multinomial logistic rule and its card.

mini-MIAS gives each film's background tissue: F (fatty), G (fatty-glandular), D (dense-glandular).
The rule is p(class) = softmax(bias + weights . (features - mean) / sd), fitted by gradient descent with
an L2 penalty on the standardised weights (270 films carry a handful of weights, no more). It lives in
``models/density/card.json`` as plain numbers, with the cross-validated figures it earned.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mammoviewer.errors import DetectorError

#: the classes, least dense first (their order is the grade's order)
TISSUES = ("F", "G", "D")
TISSUE_NAMES = {"F": "fatty", "G": "fatty-glandular", "D": "dense-glandular"}
DEFAULT_CARD = Path(__file__).resolve().parents[2] / "models" / "density" / "card.json"


@dataclass(frozen=True)
class TissueRule:
    """Softmax over :data:`TISSUES` of a linear rule on standardised named features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    sd: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per feature, one column per class
    bias: tuple[float, ...]

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities ``[N, 3]`` of feature rows ``x`` ``[N, F]``."""
        x = np.asarray(x, dtype=np.float64).reshape(-1, len(self.features))
        z = (x - np.asarray(self.mean)) / np.asarray(self.sd) @ np.asarray(self.weights) + np.asarray(self.bias)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def classify(self, features: dict[str, float]) -> tuple[str, dict[str, float]]:
        """(tissue class, ``{"F": p, "G": p, "D": p}``) of one film's named features."""
        p = self.scores(np.array([[features[n] for n in self.features]]))[0]
        return TISSUES[int(np.argmax(p))], {t: round(float(v), 6) for t, v in zip(TISSUES, p)}

    def to_dict(self) -> dict[str, Any]:
        r = lambda vs: [round(float(v), 6) for v in vs]  # noqa: E731
        return {"features": list(self.features), "classes": list(TISSUES), "mean": r(self.mean), "sd": r(self.sd),
                "weights": [r(row) for row in self.weights], "bias": r(self.bias)}

    @classmethod
    def from_dict(cls, d: Any, where: str = "rule") -> "TissueRule":
        """The rule of a card's ``"rule"`` object; DetectorError naming ``where`` if it is malformed."""
        try:
            features = tuple(str(f) for f in d["features"])
            n = len(features)
            mean, sd = tuple(map(float, d["mean"])), tuple(map(float, d["sd"]))
            weights = tuple(tuple(map(float, row)) for row in d["weights"])
            bias = tuple(map(float, d["bias"]))
            ok = (n > 0 and len(mean) == n and len(sd) == n and len(weights) == n and len(bias) == len(TISSUES)
                  and all(len(row) == len(TISSUES) for row in weights) and list(d.get("classes", TISSUES)) == list(TISSUES)
                  and all(s > 0 for s in sd)
                  and all(math.isfinite(v) for v in (*mean, *sd, *bias, *(w for row in weights for w in row))))
        except (KeyError, TypeError, ValueError) as exc:
            raise DetectorError(f"{where}: not a tissue rule ({type(exc).__name__}: {exc})") from exc
        if not ok:
            raise DetectorError(f"{where}: not a tissue rule (the sizes of features, mean, sd, weights and bias "
                                f"disagree, a number is not finite, or the classes are not {list(TISSUES)})")
        return cls(features, mean, sd, weights, bias)


def fit(x: np.ndarray, y: Sequence[int], features: Sequence[str], l2: float = 1.0,
        iterations: int = 3000, rate: float = 0.5) -> TissueRule:
    """The rule for feature rows ``x`` ``[N, F]`` and classes ``y`` (indices into :data:`TISSUES`),
    penalty ``l2`` (per film, on the standardised weights, not on the biases)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 1e-12, sd, 1.0)
    z = (x - mean) / sd
    n, f = z.shape
    onehot = np.eye(len(TISSUES))[y]
    w, b = np.zeros((f, len(TISSUES))), np.zeros(len(TISSUES))
    for _ in range(iterations):
        logits = z @ w + b
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) / n
        w -= rate * (z.T @ g + l2 * w / n)
        b -= rate * g.sum(axis=0)
    return TissueRule(tuple(features), tuple(mean), tuple(sd), tuple(map(tuple, w)), tuple(b))


def read_card(path: str | Path | None = None) -> dict[str, Any]:
    """The density card (default: the bundled ``models/density/card.json``); DetectorError if unreadable."""
    path = Path(path) if path is not None else DEFAULT_CARD
    if path.is_dir():
        path = path / "card.json"
    try:
        card = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise DetectorError(f"{path}: not a readable density card ({exc})") from exc
    if not isinstance(card, dict):
        raise DetectorError(f"{path}: not a density card (a JSON object is needed)")
    card["_path"] = str(path)
    return card


def load_rule(path: str | Path | None = None) -> TissueRule:
    """The tissue rule of a density card (default: the bundled one)."""
    card = read_card(path)
    return TissueRule.from_dict(card.get("rule"), f"{card['_path']}: field 'rule'")

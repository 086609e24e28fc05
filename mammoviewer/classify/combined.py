"""The shipped case score: the detector's findings and the case classifier, combined.

In 5-fold patient-level cross-validation the detector's strongest findings rank films better
than the classifier (see ``models/case-classifier/CARD.md``), so the case probabilities are:

* p(abnormal) = sigmoid(slope * s + intercept), where ``s`` is the sum of the ``top_k``
  highest finding scores of the detector on the film (every candidate it returns at threshold 0, any label);
  slope and intercept are a logistic fit to out-of-fold detector scores;
* p(malignant | abnormal) = the classifier's p(malignant) / (p(benign) + p(malignant)).

So normal = 1 - p(abnormal), malignant = p(abnormal) * ratio, benign = the rest.

When the same patient's other breast (same view) is at hand (``mammoviewer.io.pairing``), the
contralateral rule compares the two, as a reader does: ``s`` becomes the film's top-``k`` sum
minus the other film's, with its own slope, intercept and operating point (a finding that both
breasts show alike counts for less). Without the other film the single-film rule applies.

The rules live in the classifier's card under ``"case_score"`` (the contralateral one under
``"case_score"["contralateral"]``); a card without them means the classifier's own
probabilities are the case score. Pure numpy: no model here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping

from mammoviewer.errors import DetectorError

CARD_KEY = "case_score"
PAIRED_KEY = "contralateral"


@dataclass(frozen=True)
class CombinedRule:
    """How detector finding scores and classifier probabilities become case probabilities."""

    slope: float
    intercept: float
    top_k: int = 3
    #: operating point on p(abnormal) (a specificity target on the fitting films)
    threshold: float = 0.5
    #: True: the score is the film's top-k sum minus that of the other breast's film
    contralateral: bool = False

    @classmethod
    def from_card(cls, card: Mapping) -> "CombinedRule | None":
        """The card's single-film rule, None when it has none; ``DetectorError`` when it is malformed."""
        block = card.get(CARD_KEY)
        return None if block is None else cls._from_block(block, CARD_KEY, contralateral=False)

    @classmethod
    def paired_from_card(cls, card: Mapping) -> "CombinedRule | None":
        """The card's contralateral rule, None when it has none; ``DetectorError`` when malformed."""
        block = (card.get(CARD_KEY) or {}).get(PAIRED_KEY)
        return None if block is None else cls._from_block(block, f"{CARD_KEY}.{PAIRED_KEY}", contralateral=True)

    @classmethod
    def _from_block(cls, block: Mapping, where: str, contralateral: bool) -> "CombinedRule":
        try:
            rule = cls(slope=float(block["slope"]), intercept=float(block["intercept"]),
                       top_k=int(block.get("top_k", 3)), threshold=float(block.get("threshold", 0.5)),
                       contralateral=contralateral)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DetectorError(f"model card: malformed {where!r} block ({exc})") from exc
        if rule.top_k < 1 or not all(map(math.isfinite, (rule.slope, rule.intercept, rule.threshold))):
            raise DetectorError(f"model card: {where!r} block out of range ({dict(block)})")
        return rule

    def to_card(self) -> dict:
        out = asdict(self)
        del out["contralateral"]  # told by where the block sits in the card
        return out

    def top_sum(self, finding_scores: Iterable[float]) -> float:
        """Sum of the ``top_k`` highest finding scores (0 for a film without candidates)."""
        return float(sum(sorted((float(s) for s in finding_scores), reverse=True)[: self.top_k]))

    def detector_score(self, finding_scores: Iterable[float],
                       other_breast: Iterable[float] | None = None) -> float:
        """The rule's feature: the top-k sum, minus the other breast's for a contralateral rule."""
        if not self.contralateral:
            return self.top_sum(finding_scores)
        if other_breast is None:
            raise ValueError("the contralateral case score needs the other breast's finding scores")
        return self.top_sum(finding_scores) - self.top_sum(other_breast)

    def p_abnormal(self, finding_scores: Iterable[float], other_breast: Iterable[float] | None = None) -> float:
        z = self.slope * self.detector_score(finding_scores, other_breast) + self.intercept
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def probabilities(self, finding_scores: Iterable[float], classifier: Mapping[str, float],
                      other_breast: Iterable[float] | None = None) -> dict[str, float]:
        """``{"normal", "benign", "malignant"}`` summing to 1 (see the module docstring)."""
        abnormal = self.p_abnormal(finding_scores, other_breast)
        lesion = float(classifier["benign"]) + float(classifier["malignant"])
        ratio = float(classifier["malignant"]) / lesion if lesion > 0 else 0.5
        malignant = abnormal * ratio
        return {"normal": 1.0 - abnormal, "benign": abnormal - malignant, "malignant": malignant}

    def decide(self, probabilities: Mapping[str, float]) -> str:
        """"normal" below the operating point, else the likelier of benign and malignant."""
        if 1.0 - probabilities["normal"] < self.threshold:
            return "normal"
        return "malignant" if probabilities["malignant"] > probabilities["benign"] else "benign"


def fit_logistic(x: Iterable[float], positive: Iterable[bool], iterations: int = 5000,
                 step: float = 0.5) -> tuple[float, float]:
    """(slope, intercept) of a one-feature logistic regression (plain gradient descent, no penalty)."""
    import numpy as np

    xs = np.asarray(list(x), dtype=np.float64)
    t = np.asarray(list(positive), dtype=np.float64)
    if xs.size == 0 or t.min() == t.max():
        raise ValueError("need films of both kinds to fit the case score")
    a = b = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a * xs + b)))
        g = p - t
        a -= step * float((g * xs).mean())
        b -= step * float(g.mean())
    return a, b

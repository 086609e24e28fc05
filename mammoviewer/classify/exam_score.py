"""The exam score 1-10: where an exam's case score falls among the cross-validated normal exams.

An exam's case score is the highest p(abnormal) of its films (``classify.combined``): each film
with the contralateral rule when the other breast's film of the same view is in the exam, else the
single-film rule. The score is 1 + the number of decile edges at or below it, the edges being the
deciles of the same exam score on the normal exams of the cross-validation (every film scored by the
detector fold model that never saw its patient). So 1-9 hold about a tenth of normal exams each
and 10 the most suspicious tenth; an exam scoring 10 is above 90 % of normal exams.

The edges live in the case classifier's card under ``"case_score"["exam_score"]``, written by
``python -m mammoviewer.research.exam_score_fit``. A card without them gives no exam score (None).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from mammoviewer.classify.combined import CARD_KEY, CombinedRule
from mammoviewer.errors import DetectorError

EXAM_KEY = "exam_score"


@dataclass(frozen=True)
class FilmScores:
    """One film of an exam: side, view and every candidate score of the detector on it."""

    laterality: str | None
    view: str | None
    scores: tuple[float, ...]


@dataclass(frozen=True)
class ExamScale:
    """The nine decile edges of the normal exams' case scores, ascending."""

    edges: tuple[float, ...]

    def __post_init__(self) -> None:
        e = tuple(float(v) for v in self.edges)
        if len(e) != 9 or not all(map(math.isfinite, e)) or any(b < a for a, b in zip(e, e[1:])):
            raise ValueError(f"an exam scale needs 9 ascending finite decile edges, got {list(self.edges)}")
        object.__setattr__(self, "edges", e)

    @classmethod
    def from_card(cls, card: Mapping) -> ExamScale | None:
        """The card's scale; None when it has none (or its edges are null: not fitted yet); DetectorError
        when it is malformed."""
        block = (card.get(CARD_KEY) or {}).get(EXAM_KEY)
        if block is None or (isinstance(block, dict) and block.get("edges") is None):
            return None
        try:
            return cls(tuple(block["edges"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise DetectorError(f"model card: malformed '{CARD_KEY}.{EXAM_KEY}' block ({exc})") from exc

    def score(self, p_abnormal: float) -> int:
        """1-10."""
        return 1 + bisect.bisect_right(self.edges, float(p_abnormal))


def exam_p_abnormal(films: Sequence[FilmScores], single: CombinedRule, paired: CombinedRule | None) -> float:
    """The exam's case score: the highest p(abnormal) of its films (see the module docstring)."""
    if not films:
        raise ValueError("an exam needs at least one film")
    best = 0.0
    for film in films:
        other = next((o for o in films if o is not film and o.view == film.view and film.laterality
                      and o.laterality and o.laterality != film.laterality), None)  # fmt: skip
        if paired is not None and other is not None:
            p = paired.p_abnormal(film.scores, other.scores)
        else:
            p = single.p_abnormal(film.scores)
        best = max(best, p)
    return best


def decile_edges(normal_exam_scores: Iterable[float]) -> tuple[float, ...]:
    """The nine deciles (10 %, 20 % ... 90 %; numpy's linear interpolation) of normal exams' scores."""
    import numpy as np

    values = np.asarray(list(normal_exam_scores), dtype=np.float64)
    if values.size < 10:
        raise ValueError(f"need at least 10 normal exams for deciles, got {values.size}")
    return tuple(float(v) for v in np.quantile(values, np.arange(1, 10) / 10.0))

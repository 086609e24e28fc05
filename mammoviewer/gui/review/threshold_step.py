"""What `[` and `]` do to the confidence threshold: one candidate more, or one fewer, per press.

Model scores bunch (on a MIAS film most candidates score between 0.13 and 0.30), so a fixed step
of 0.05 could reveal eighty boxes at once. A press moves the threshold to the next score of a pending
candidate instead; past the last one it moves by :data:`FALLBACK_STEP`. Qt-free.
"""

from __future__ import annotations

from collections.abc import Iterable

from mammoviewer.review.records import Finding
from mammoviewer.review.truth import is_pending

FALLBACK_STEP = 0.05
#: how far above a score the threshold goes to hide it (the threshold box shows 3 decimals)
HAIR = 0.001


def candidate_scores(findings: Iterable[Finding]) -> list[float]:
    """Scores of the pending model candidates (the only findings the threshold hides)."""
    return [float(f.score) for f in findings if is_pending(f) and f.source == "model" and f.score is not None]


def step_threshold(scores: Iterable[float], current: float, direction: int) -> float:
    """The threshold after one press: ``direction`` -1 shows the next lower-scoring candidate(s),
    +1 hides the lowest-scoring shown one(s) (a finding shows when its score >= the threshold)."""
    levels = sorted(set(scores))
    if direction < 0:
        lower = [s for s in levels if s < current]
        value = lower[-1] if lower else current - FALLBACK_STEP
    else:
        shown = [s for s in levels if s >= current]
        if not shown:
            value = current + FALLBACK_STEP
        else:  # just past the lowest shown score: the next level up, or a hair above it
            value = shown[1] if len(shown) > 1 else shown[0] + HAIR
    return min(1.0, max(0.0, value))

"""`[` and `]`: one pending candidate more or fewer per press, whatever the scores' bunching."""

import pytest

from mammoviewer.gui.review.threshold_step import FALLBACK_STEP, HAIR, candidate_scores, step_threshold
from mammoviewer.review.records import Box, Finding

BUNCHED = [0.131, 0.14, 0.15, 0.152, 0.2, 0.29]


def _shown(t):
    return sum(s >= t for s in BUNCHED)


def test_each_press_changes_the_shown_candidates_by_one_level():
    t = 0.3
    counts = []
    for _ in range(6):
        t = step_threshold(BUNCHED, t, -1)
        counts.append(_shown(t))
    assert counts == [1, 2, 3, 4, 5, 6]
    for want in (5, 4, 3, 2, 1, 0):
        t = step_threshold(BUNCHED, t, +1)
        assert _shown(t) == want
    assert t == pytest.approx(0.29 + HAIR)


def test_past_the_candidates_the_step_is_fixed_and_clamped():
    assert step_threshold(BUNCHED, 0.131, -1) == pytest.approx(0.131 - FALLBACK_STEP)
    assert step_threshold([], 0.5, +1) == pytest.approx(0.5 + FALLBACK_STEP)
    assert step_threshold([], 0.02, -1) == 0.0
    assert step_threshold([], 0.99, +1) == 1.0


def test_only_pending_model_candidates_count():
    def f(source, status, score):
        return Finding(image_key="/k", box=Box(0, 0, 1, 1), label="benign", source=source, status=status, score=score)

    fs = [f("model", "pending", 0.2), f("model", "accepted", 0.3), f("model", "rejected", 0.4),
          f("reader", "accepted", None), f("import", "pending", 0.6)]
    assert candidate_scores(fs) == [0.2]

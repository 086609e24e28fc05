"""The exam score 1-10: deciles of normal exams' case scores, the exam's case score, the card block."""

from __future__ import annotations

import pytest

from mammoviewer.classify.combined import CombinedRule
from mammoviewer.classify.exam_score import ExamScale, FilmScores, decile_edges, exam_p_abnormal
from mammoviewer.errors import DetectorError


def test_decile_edges_of_100_evenly_spread_scores():
    edges = decile_edges([i / 100 for i in range(1, 101)])  # 0.01 ... 1.00
    assert edges == pytest.approx([0.109, 0.208, 0.307, 0.406, 0.505, 0.604, 0.703, 0.802, 0.901])


def test_each_decile_of_normal_exams_gets_one_score():
    normal = [i / 100 for i in range(1, 101)]
    scale = ExamScale(decile_edges(normal))
    counts = [sum(scale.score(p) == s for p in normal) for s in range(1, 11)]
    assert counts == [10] * 10
    assert scale.score(0.0) == 1 and scale.score(0.95) == 10 and scale.score(2.0) == 10


def test_too_few_normal_exams():
    with pytest.raises(ValueError, match="at least 10"):
        decile_edges([0.1] * 9)


def test_scale_from_the_card():
    assert ExamScale.from_card({"case_score": {"slope": 1}}) is None
    assert ExamScale.from_card({"case_score": {"exam_score": {"edges": None, "status": "not fitted"}}}) is None
    scale = ExamScale.from_card({"case_score": {"exam_score": {"edges": [0.1 * i for i in range(1, 10)]}}})
    assert scale is not None and scale.score(0.55) == 6
    with pytest.raises(DetectorError, match="exam_score"):
        ExamScale.from_card({"case_score": {"exam_score": {"edges": [0.3, 0.2] + [0.5] * 7}}})


def test_exam_case_score_is_the_most_suspicious_film_against_the_other_breast():
    single = CombinedRule(slope=2.0, intercept=-3.0)
    paired = CombinedRule(slope=3.0, intercept=-1.0, contralateral=True)
    right = FilmScores("R", "MLO", (0.9, 0.8, 0.1))
    left = FilmScores("L", "MLO", (0.2,))
    p = exam_p_abnormal([right, left], single, paired)
    assert p == pytest.approx(paired.p_abnormal(right.scores, left.scores))
    # without the other breast's film (or without a paired rule) each film is scored alone
    assert exam_p_abnormal([right], single, paired) == pytest.approx(single.p_abnormal(right.scores))
    cc = FilmScores("L", "CC", (0.2,))
    assert exam_p_abnormal([right, cc], single, paired) == pytest.approx(single.p_abnormal(right.scores))

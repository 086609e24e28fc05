"""Ruler and ellipse statistics: golden values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mammoviewer.geometry.measure import Spacing, describe_length, ellipse_stats, ruler_mm, spacing_for


def test_spacing_given_or_assumed():
    assert spacing_for((0.1, 0.07), 3000) == Spacing(0.1, 0.07, False)
    assumed = spacing_for(None, 4096)
    assert assumed.assumed and assumed.row_mm == pytest.approx(204.8 / 4096)
    assert spacing_for((0.0, 0.1), 1024).assumed


def test_ruler_uses_row_and_column_spacing():
    s = Spacing(0.1, 0.2)
    assert ruler_mm((0, 0), (30, 40), s) == pytest.approx(math.hypot(30 * 0.2, 40 * 0.1))
    assert describe_length(12.345, s) == "12.3 mm"
    assert describe_length(5.0, Spacing(0.2, 0.2, True)) == "5.0 mm (spacing assumed)"


def test_ellipse_stats_golden():
    px = np.zeros((20, 20), np.uint16)
    px[5:15, 5:15] = 100  # a 10 x 10 square; the inscribed circle lies inside it
    stats = ellipse_stats(px, 5, 5, 15, 15, Spacing(0.5, 0.5))
    assert stats.mean == 100.0 and stats.sd == 0.0
    assert stats.pixels == 80  # pixel centres within radius 5 of (10, 10)
    assert stats.area_mm2 == pytest.approx(math.pi * 25 * 0.25)
    half = ellipse_stats(px, 0, 5, 10, 15, Spacing(1, 1))  # half over the square
    assert 0 < half.mean < 100 and half.sd > 0
    assert "spacing assumed" in ellipse_stats(px, 5, 5, 15, 15, Spacing(1, 1, True)).describe()
    empty = ellipse_stats(px, 30, 30, 40, 40, Spacing(1, 1))
    assert empty.pixels == 0 and math.isnan(empty.mean)

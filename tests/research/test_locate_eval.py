"""The click-to-locate scoring rules: what counts as a hit, the baseline box, the clicks, the table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mammoviewer.research.locate_eval import NAMES, clicks_of, fixed_box, hit, markdown

TRUTH = (100.0, 100.0, 140.0, 140.0)  # circle of radius 20 around (120, 120)


@pytest.mark.parametrize("proposal, expected", [
    ((100.0, 100.0, 140.0, 140.0), (True, True)),     # the square itself
    ((125.0, 125.0, 135.0, 135.0), (True, False)),    # small, centre (130, 130) inside the circle
    ((60.0, 60.0, 200.0, 200.0), (True, False)),      # centre inside, IoU 0.08
    ((130.0, 130.0, 170.0, 170.0), (False, False)),   # centre (150, 150) 42 px off, IoU 100 / 3100
    ((160.0, 160.0, 200.0, 200.0), (False, False)),   # elsewhere
    (None, (False, False)),
])
def test_hit_is_centre_in_circle_or_iou_03_and_iou50_apart(proposal, expected):
    assert hit(proposal, TRUTH) == expected


def test_iou_03_without_the_centre_inside_is_a_hit():
    wide = (95.0, 60.0, 145.0, 130.0)  # centre (120, 95): 25 px off (outside r = 20), IoU 1200 / 3500 = 0.34
    assert hit(wide, TRUTH) == (True, False)


def test_baseline_box_is_a_square_on_the_click_clipped_to_the_image():
    assert fixed_box(50.0, 60.0, 20.0, (100, 100)) == (40.0, 50.0, 60.0, 70.0)
    assert fixed_box(5.0, 95.0, 20.0, (100, 100)) == (0.0, 85.0, 15.0, 100.0)


def test_clicks_are_the_centre_and_one_offset_at_the_given_distance():
    (k0, x0, y0), (k1, x1, y1) = clicks_of(TRUTH, 20.0, np.random.default_rng(0))
    assert (k0, x0, y0) == ("centre", 120.0, 120.0) and k1 == "offset"
    assert math.hypot(x1 - 120.0, y1 - 120.0) == pytest.approx(20.0)
    again = clicks_of(TRUTH, 20.0, np.random.default_rng(0))
    assert again[1] == (k1, x1, y1)  # seeded: the same clicks every run


def test_markdown_table_has_a_row_per_variant_and_the_counts():
    tally = {"all": {"clicks": 4, "hit": 0.75, "iou50": 0.5}, "click_centre": {"clicks": 2, "hit": 1.0, "iou50": 0.5},
             "click_offset": {"clicks": 2, "hit": 0.5, "iou50": 0.5}, "CALC": {"clicks": 4, "hit": 0.75, "iou50": 0.5}}
    table = markdown({name: tally for name in NAMES})
    lines = table.splitlines()
    assert len(lines) == 2 + len(NAMES)
    assert "all (n=4)" in lines[0] and "CALC (n=4)" in lines[0] and "0.75 / 0.50" in lines[2]

"""Clock position, quadrant and depth of a finding from a film's nipple and chest wall."""

from __future__ import annotations

import pytest

from mammoviewer.geometry.breast_position import (
    Landmarks, clock_hour, depth_of, describe, film_position, quadrant, up_sign,
)  # fmt: skip


@pytest.mark.parametrize("side, lateral, superior, hour", [
    ("R", 10, 0, 9), ("L", 10, 0, 3), ("R", -10, 0, 3), ("L", -10, 0, 9),
    ("R", 0, 10, 12), ("L", 0, -10, 6), ("R", 10, 10, 10), ("L", 10, 10, 2),
    ("R", 10, -10, 8), ("L", -5, -10, 7), ("R", 0.1, 10, 12),
])  # fmt: skip
def test_clock_hour_as_the_reader_faces_the_patient(side, lateral, superior, hour):
    assert clock_hour(side, lateral, superior) == hour


def test_clock_hour_needs_a_side():
    with pytest.raises(ValueError, match="laterality"):
        clock_hour("B", 1, 1)


@pytest.mark.parametrize("lat, sup, nipple, expected", [
    (30, 30, 60, "upper outer"), (-30, 30, 60, "upper inner"), (30, -30, 60, "lower outer"),
    (None, 30, 60, "upper"), (30, None, 60, "outer"), (-30, None, 60, "inner"),
    (5, None, 60, "central"), (5, 40, 60, "upper"), (30, 30, 15, "retroareolar"), (None, None, None, ""),
])  # fmt: skip
def test_quadrant(lat, sup, nipple, expected):
    assert quadrant("R", lat, sup, nipple) == expected


def test_depth_thirds():
    assert [depth_of(s) for s in (0.0, 0.32, 0.34, 0.66, 0.67, 1.0)] == [
        "anterior", "anterior", "middle", "middle", "posterior", "posterior"]


def test_film_position_on_a_right_cc_with_the_chest_wall_on_the_right():
    # nipple at (100, 500), chest wall at x = 1000; a finding 500 px deep and 200 px above the nipple line
    marks = Landmarks(nipple=(100.0, 500.0), chest_wall_x=1000.0)
    pos = film_position((600.0, 300.0), marks, pixel_mm=0.1, view="CC")
    assert pos.depth_share == pytest.approx(500 / 900)
    assert pos.depth == "middle"
    assert pos.offset_mm == pytest.approx(20.0)  # up = lateral
    assert pos.axis == "lateral"
    assert pos.nipple_mm == pytest.approx(0.1 * (500**2 + 200**2) ** 0.5)
    flipped = film_position((700.0, 300.0), marks, pixel_mm=0.1, view="CC", sign=-1)
    assert flipped.offset_mm == pytest.approx(-20.0)


def test_film_position_with_the_chest_wall_on_the_left_and_no_spacing():
    marks = Landmarks(nipple=(900.0, 400.0), chest_wall_x=0.0)
    pos = film_position((850.0, 600.0), marks, pixel_mm=None, view="MLO")
    assert pos.depth == "anterior" and pos.nipple_mm is None and pos.offset_mm is None


def test_landmarks_refuse_a_nipple_on_the_chest_wall():
    with pytest.raises(ValueError, match="chest wall"):
        Landmarks(nipple=(0.0, 10.0), chest_wall_x=0.0)


@pytest.mark.parametrize("side, view, orientation, sign", [
    ("R", "CC", ("P", "L"), 1), ("L", "CC", ("A", "R"), 1), ("R", "CC", ("P", "R"), -1),
    ("L", "CC", ("A", "L"), -1), ("R", "MLO", ("P", "F"), 1), ("L", "MLO", ("A", "H"), -1),
    ("L", "MLO", ("A", "FR"), 1), ("R", "CC", None, 1), ("R", None, ("P", "H"), 1),
])  # fmt: skip
def test_up_sign_from_patient_orientation(side, view, orientation, sign):
    assert up_sign(side, view, orientation) == sign


def test_describe():
    assert describe("R", 10, "upper outer", "middle", 45.2) == (
        "right breast, 10 o'clock, upper outer, middle depth, 45 mm from the nipple")
    assert describe(None, None, "", None, None) == "breast"


def test_shares_work_without_pixel_spacing():
    marks = Landmarks(nipple=(100.0, 500.0), chest_wall_x=1100.0)
    pos = film_position((600.0, 700.0), marks, pixel_mm=None, view="MLO")
    assert pos.offset_share == pytest.approx(-0.2) and pos.nipple_share == pytest.approx((500**2 + 200**2) ** 0.5 / 1000)
    assert quadrant("L", None, pos.offset_share, pos.nipple_share, central=0.1, retroareolar=0.2) == "lower"

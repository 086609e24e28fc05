"""Nipple and chest wall found on the breast mask."""

from __future__ import annotations

import numpy as np
import pytest

from mammoviewer.detect.landmarks import find_landmarks, landmarks_of_mask
from shared_paths import SAMPLES


def _half_disc(rows: int, cols: int, centre_row: int, radius: int, chest_left: bool) -> np.ndarray:
    yy, xx = np.mgrid[:rows, :cols]
    x0 = 0 if chest_left else cols - 1
    return (yy - centre_row) ** 2 + (xx - x0) ** 2 <= radius**2


@pytest.mark.parametrize("chest_left", [True, False])
def test_nipple_is_the_point_farthest_from_the_chest_wall(chest_left):
    mask = _half_disc(300, 200, centre_row=120, radius=90, chest_left=chest_left)
    marks = landmarks_of_mask(mask, pixel_mm=1.0)
    assert marks is not None
    assert marks.chest_wall_x == (0.0 if chest_left else 200.0)
    assert marks.nipple[0] == pytest.approx(91.0 if chest_left else 109.0, abs=1.0)
    assert marks.nipple[1] == pytest.approx(120.5, abs=1.0)


def test_a_film_with_a_margin_measures_from_where_the_breast_ends():
    mask = np.zeros((300, 400), bool)
    mask[:, 100:300] = _half_disc(300, 200, centre_row=150, radius=120, chest_left=False)
    marks = landmarks_of_mask(mask, pixel_mm=1.0)
    assert marks.chest_wall_x == 300.0 and marks.nipple[0] == pytest.approx(100 + 199 - 120, abs=1.0)


def test_no_breast_no_landmarks():
    assert landmarks_of_mask(np.zeros((50, 50), bool), 1.0) is None


@pytest.mark.parametrize("name, chest_right", [("mdb023", True), ("mdb024", False)])
def test_mias_films_chest_wall_side(name, chest_right):
    from mammoviewer.io import load_image
    from mammoviewer.studies.hanging import chest_wall_side

    image = load_image(SAMPLES / f"{name}.pgm")
    marks = find_landmarks(image)
    assert marks is not None
    assert (marks.chest_wall_x > marks.nipple[0]) == chest_right == (chest_wall_side(image.pixels) == "right")
    assert 150 < abs(marks.chest_wall_x - marks.nipple[0]) < 700

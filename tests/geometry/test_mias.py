"""The MIAS bottom-origin convention, pinned on hand-made values."""

import numpy as np
import pytest

from mammoviewer.geometry import mias as gm


def test_constants_describe_a_mini_mias_film():
    assert gm.MIAS_SIZE == 1024 and gm.MIAS_PIXEL_MM == 0.2
    assert gm.ASSUMED_FILM_HEIGHT_MM == pytest.approx(204.8)


def test_y_counts_from_the_bottom_and_the_flip_is_its_own_inverse():
    assert gm.mias_y_to_row(1024) == 0.0
    assert gm.mias_y_to_row(0) == 1024.0
    assert gm.mias_y_to_row(300, height=500) == 200.0
    assert gm.row_to_mias_y(gm.mias_y_to_row(123.5)) == 123.5


def test_circle_becomes_the_square_around_it_in_the_top_left_frame():
    # mdb001's row of Info.txt: x 535, y 425, radius 197
    np.testing.assert_allclose(gm.mias_to_xyxy([535, 425, 197]), [338, 402, 732, 796])
    np.testing.assert_allclose(gm.xyxy_to_mias([338, 402, 732, 796]), [535, 425, 197])
    # a non-square box keeps its centre and the larger half-side as radius
    np.testing.assert_allclose(gm.xyxy_to_mias([0, 0, 40, 20], height=100), [20, 90, 20])


def test_wrong_shape_is_a_value_error():
    with pytest.raises(ValueError, match=r"\[\.\.\., 3\]"):
        gm.mias_to_xyxy([1, 2])

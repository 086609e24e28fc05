"""Areas, intersections and IoU of corner boxes (golden values)."""

import numpy as np
import pytest

from mammoviewer.geometry import boxes as gb

def test_iou_golden_values():
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[5, 5, 15, 15], [10, 10, 20, 20], [0, 0, 10, 10], [0, 0, 5, 10]])
    np.testing.assert_allclose(gb.iou(a, b), [[1 / 7, 0.0, 1.0, 0.5]])
    assert gb.iou(a, np.zeros((0, 4))).shape == (1, 0)

def test_iou_rejects_bad_shape():
    with pytest.raises(ValueError, match=r"\[N, 4\]"):
        gb.iou(np.zeros((2, 3)), np.zeros((1, 4)))

def test_intersection_over_the_smaller_box():
    a = np.array([[0, 0, 10, 10]], float)
    b = np.array([[2, 2, 6, 6], [5, 5, 15, 15], [20, 20, 30, 30], [3, 3, 3, 9]], float)
    np.testing.assert_allclose(gb.intersection(a, b), [[16, 25, 0, 0]])
    np.testing.assert_allclose(gb.iomin(a, b), [[1.0, 0.25, 0.0, 0.0]])  # a degenerate box gives 0

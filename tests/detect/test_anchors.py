import math

import numpy as np
import pytest

from mammoviewer.detect import anchors as an


def test_toy_grid_golden_anchors():
    spec = an.AnchorSpec(strides=(8,), sizes=((8.0,),), ratios=(1.0, 2.0))
    a = an.generate_anchors(16, 16, spec)
    assert a.shape == (8, 4)
    s2 = 8 * math.sqrt(2) / 2
    np.testing.assert_allclose(a[0], [0, 0, 8, 8])
    np.testing.assert_allclose(a[1], [4 - s2, 4 - s2 / 2, 4 + s2, 4 + s2 / 2])
    np.testing.assert_allclose(a[2], [8, 0, 16, 8])  # next column first (row-major)
    np.testing.assert_allclose(a[4], [0, 8, 8, 16])


def test_default_spec_counts_and_levels():
    spec = an.AnchorSpec()
    assert spec.per_location == 6 and spec.multiple == 64
    assert an.count_anchors(256, 256, spec) == (32 * 32 + 16 * 16 + 8 * 8 + 4 * 4) * 6
    a = an.generate_anchors(256, 256, spec)
    assert len(a) == an.count_anchors(256, 256, spec)
    sides = np.sqrt((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]))
    assert sides.min() == pytest.approx(12) and sides.max() == pytest.approx(200)
    assert an.AnchorSpec.from_dict(spec.to_dict()) == spec


def test_spec_validation():
    with pytest.raises(ValueError, match="2 strides but 1 size groups"):
        an.AnchorSpec(strides=(8, 16), sizes=((8.0,),))


def test_assign_positive_ignore_and_tiny_box():
    spec = an.AnchorSpec(strides=(8,), sizes=((8.0,),), ratios=(1.0,))
    anchors = an.generate_anchors(32, 32, spec)  # 16 cells of 8x8
    gt = np.array([[0, 0, 8, 8], [17, 17, 19, 19]], float)  # exact anchor; tiny box
    labels, offsets = an.assign(anchors, gt, np.array([1, 2]), spec=spec)
    assert labels[0] == 1 and np.allclose(offsets[0], 0)
    assert labels[2 * 4 + 2] == 2  # the tiny box claims its best anchor (cell row 2, col 2)
    assert (labels > 0).sum() == 2
    labels, _ = an.assign(anchors, np.zeros((0, 4)), np.zeros(0), ignore_boxes=np.array([[8, 8, 16, 16.0]]),
                          spec=spec)
    assert labels[1 * 4 + 1] == an.IGNORE and (labels == 0).sum() == 15


def test_anchor_spec_for_another_pixel_size_keeps_millimetres():
    spec = an.anchor_spec_for(0.8)
    assert spec.sizes[0] == (6.0, 9.0) and spec.sizes[-1] == (67.0, 100.0)
    assert spec.strides == an.AnchorSpec().strides and an.anchor_spec_for(0.4) == an.AnchorSpec()

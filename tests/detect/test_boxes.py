import numpy as np
import pytest

from mammoviewer.detect import boxes as bx
from mammoviewer.geometry import boxes as gb






def test_encode_golden_and_round_trip():
    anchors = np.array([[0, 0, 10, 10], [0, 0, 10, 10]], float)
    boxes = np.array([[1, 2, 11, 12], [0, 0, 20, 20]], float)
    t = bx.encode(boxes, anchors)
    np.testing.assert_allclose(t[0], [1, 2, 0, 0], atol=1e-12)
    np.testing.assert_allclose(t[1], [5, 5, np.log(2) / 0.2, np.log(2) / 0.2])
    rng = np.random.default_rng(0)
    c = rng.uniform(0, 500, (50, 2))
    wh = rng.uniform(3, 200, (50, 2))
    b = np.concatenate([c - wh / 2, c + wh / 2], 1)
    a = gb.centers_to_corners(np.concatenate([rng.uniform(0, 500, (50, 2)), rng.uniform(8, 200, (50, 2))], 1))
    np.testing.assert_allclose(bx.decode(bx.encode(b, a), a), b, atol=1e-9)


def test_decode_clamps_huge_size_offsets():
    out = bx.decode(np.array([[0, 0, 1e6, 1e6]]), np.array([[0, 0, 10, 10]], float))
    assert np.all(np.isfinite(out))


def test_nms_golden():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    assert bx.nms(boxes, scores, 0.45).tolist() == [3, 2]
    assert bx.nms(boxes, scores, 0.95).tolist() == [3, 0, 1, 2]
    assert bx.nms(boxes, scores, 0.95, max_out=2).tolist() == [3, 0]
    with pytest.raises(ValueError, match="4 boxes but 3 scores"):
        bx.nms(boxes, scores[:3])

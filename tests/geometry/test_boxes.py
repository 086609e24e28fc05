"""Golden values for each box convention (one known box, written by hand per format)."""

from __future__ import annotations

import numpy as np
import pytest

from mammoviewer.geometry.boxes import FORMATS, box_convert

# One box on a 200 (wide) x 100 (high) image: columns 20..60, rows 10..30 (top-left origin).
XYXY = [20.0, 10.0, 60.0, 30.0]
SIZE = (200, 100)
GOLDEN = {
    "xyxy": [20.0, 10.0, 60.0, 30.0],
    "xywh": [20.0, 10.0, 40.0, 20.0],  # COCO
    "cxcywh": [40.0, 20.0, 40.0, 20.0],
    "yolo": [0.2, 0.2, 0.2, 0.2],  # cx/W, cy/H, w/W, h/H
    "mias": [40.0, 80.0, 20.0],  # y from the bottom: 100 - 20; r = max(40, 20) / 2
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_from_canonical(fmt: str) -> None:
    np.testing.assert_allclose(box_convert([XYXY], "xyxy", fmt, SIZE), [GOLDEN[fmt]])


@pytest.mark.parametrize("fmt", ["xywh", "cxcywh", "yolo"])
def test_golden_back_to_canonical(fmt: str) -> None:
    np.testing.assert_allclose(box_convert(GOLDEN[fmt], fmt, "xyxy", SIZE), XYXY)


def test_mias_circle_becomes_its_square_with_bottom_left_origin() -> None:
    # mdb001: x=535, y=425 (from the bottom), r=197 on a 1024-high film
    np.testing.assert_allclose(box_convert([535, 425, 197], "mias", "xyxy", (1024, 1024)),
                               [338, 402, 732, 796])  # fmt: skip
    # and the square goes back to the same circle
    np.testing.assert_allclose(box_convert([338, 402, 732, 796], "xyxy", "mias", (1024, 1024)),
                               [535, 425, 197])  # fmt: skip


def test_batches_keep_shape_and_pairs_round_trip() -> None:
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 100, (3, 5, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(1, 50, (3, 5, 2))], axis=-1)
    for fmt in ("xywh", "cxcywh", "yolo"):
        there = box_convert(boxes, "xyxy", fmt, SIZE)
        assert there.shape == (3, 5, 4)
        np.testing.assert_allclose(box_convert(there, fmt, "xyxy", SIZE), boxes)


def test_unknown_format_missing_size_and_bad_shape_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown box format 'xyzw'"):
        box_convert([XYXY], "xyzw", "xyxy")
    with pytest.raises(ValueError, match="unknown box format"):
        box_convert([XYXY], "xyxy", "voc")
    with pytest.raises(ValueError, match="image_size"):
        box_convert([XYXY], "xyxy", "yolo")
    with pytest.raises(ValueError, match=r"shape \[\.\.\., 4\]"):
        box_convert([1, 2, 3], "xyxy", "xywh")
    out = box_convert([XYXY], "xyxy", "xyxy")
    out[0, 0] = -1
    assert XYXY[0] == 20.0  # a copy, never the input

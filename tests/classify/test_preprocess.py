"""Film -> classifier input: orientation, resampling by spacing, fitting into the square."""

from __future__ import annotations

import numpy as np
import pytest

from mammoviewer.classify.preprocess import (
    chest_wall_on_right, fit_square, normalise_orientation, prepare, resample, spacing_of,
)
from mammoviewer.io.image import Image

from shared_paths import SAMPLES


def _breast(rows: int, cols: int, wall_right: bool) -> np.ndarray:
    """A half-disc of tissue (brightest at the chest wall) against one side, with a small bright
    label in the opposite top corner."""
    r, c = np.mgrid[0:rows, 0:cols]
    edge = cols - 1 if wall_right else 0
    dist = np.sqrt((r - rows / 2) ** 2 + (c - edge) ** 2) / (0.45 * rows)
    pic = np.where(dist < 1, 0.9 - 0.6 * dist, 0).astype(np.float32)
    pic[2:6, (2 if wall_right else cols - 8) : (8 if wall_right else cols - 2)] = 1.0
    return pic


def test_orientation_puts_the_chest_wall_on_the_left() -> None:
    right = _breast(64, 64, wall_right=True)
    assert chest_wall_on_right(right)
    out, flipped = normalise_orientation(right)
    assert flipped and not chest_wall_on_right(out)
    np.testing.assert_array_equal(out, right[:, ::-1])
    left = _breast(64, 64, wall_right=False)
    same, flipped = normalise_orientation(left)
    assert not flipped and same is left


def test_resample_by_spacing_and_default_height() -> None:
    pic = np.arange(16, dtype=np.float32).reshape(4, 4)
    out = resample(pic, (0.2, 0.2), 0.4)
    np.testing.assert_allclose(out, [[2.5, 4.5], [10.5, 12.5]])  # INTER_AREA = 2x2 means
    img = Image("x", "png", np.zeros((2048, 1000), np.uint8), 8)
    assert spacing_of(img) == pytest.approx((0.1, 0.1))  # 204.8 mm over 2048 rows
    img.pixel_spacing_mm = (0.07, 0.05)
    assert spacing_of(img) == (0.07, 0.05)


def test_fit_square_shrinks_large_pictures_and_pads_left_aligned() -> None:
    out, scale = fit_square(np.ones((10, 5), np.float32), 16)
    assert scale == 1.0 and out.shape == (16, 16)
    assert out[3:13, :5].all() and out.sum() == 50  # rows centred, columns from the left
    out, scale = fit_square(np.ones((40, 20), np.float32), 16)
    assert scale == pytest.approx(0.4) and out[:, :8].all() and not out[:, 8:].any()


def test_prepare_a_synthetic_right_breast() -> None:
    pixels = (_breast(512, 400, wall_right=True) * 255).astype(np.uint8)
    img = Image("synthetic", "png", pixels, 8, pixel_spacing_mm=(0.4, 0.4))
    p = prepare(img, pixel_mm=1.6, size=160)
    assert p.flipped and p.pixels.shape == (160, 160) and p.pixels.dtype == np.float32
    assert 0.0 <= p.pixels.min() and p.pixels.max() <= 1.0
    assert p.scale == pytest.approx(0.25)
    tissue = p.pixels[:, :100]  # 128 x 100 picture, rows 16..143
    assert tissue[16:144, :20].mean() > 0.3 and not p.pixels[:16].any() and not p.pixels[:, 100:].any()


def test_prepare_real_mias_film_is_mirrored_right_breast() -> None:
    path = SAMPLES / "mdb023.pgm"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    from mammoviewer.io import load_image

    p = prepare(load_image(path))
    assert p.flipped  # odd MIAS numbers are right breasts: chest wall on the right of the film
    assert p.pixels.shape == (256, 256) and p.scale == 0.25
    assert p.pixels[:, :128].sum() > 1.5 * p.pixels[:, 128:].sum()

"""The reading-only CLAHE enhancement."""

from __future__ import annotations

import numpy as np
import pytest

from loader_paths import SAMPLES

from mammoviewer.io import load_image
from mammoviewer.io.display import render
from mammoviewer.io.enhance import clahe


def test_clahe_raises_local_contrast_and_keeps_the_picture():
    picture = render(load_image(SAMPLES / "mdb023.pgm"))
    out = clahe(picture)
    assert out.dtype == np.uint8 and out.shape == picture.shape
    patch = (slice(400, 464), slice(600, 664))  # inside the breast: local contrast grows
    assert out[patch].std() > (picture[patch] * 255).std() * 1.2
    assert np.corrcoef(out.ravel()[::97], picture.ravel()[::97])[0, 1] > 0.8


def test_clahe_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        clahe(np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="clip_limit"):
        clahe(np.zeros((8, 8)), clip_limit=0)


def test_clahe_never_sees_nan():
    picture = np.tile(np.linspace(0.0, 1.0, 32, dtype=np.float32), (32, 1))
    hostile = picture.copy()
    hostile[:, :8] = np.nan  # what a broken window once made
    hostile[0, 8], hostile[0, 9] = np.inf, -np.inf
    with np.errstate(invalid="raise"):  # no "invalid value encountered in cast" on the way to OpenCV
        out = clahe(hostile)
    plain = clahe(np.where(np.isnan(hostile), 0.0, np.clip(np.nan_to_num(hostile), 0.0, 1.0)))
    np.testing.assert_array_equal(out, plain)  # NaN is black, infinities the ends
    for shape in ((1, 1), (1, 2), (4, 4)):  # the tiny films a hanging may show
        assert clahe(np.full(shape, 0.5, np.float32)).shape == shape

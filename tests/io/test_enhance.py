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

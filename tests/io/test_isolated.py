"""Decoding in a child process: same result as in-process; errors and time-outs come back as ImageReadError."""

from __future__ import annotations

import numpy as np
import pytest

from loader_paths import DATA, SAMPLES
from mammoviewer.errors import ImageReadError
from mammoviewer.io import load_image, load_image_isolated


def test_isolated_load_equals_in_process():
    path = DATA / "mg_ge_seno_lcc_for_presentation_hdr.dcm"
    here, there = load_image(path), load_image_isolated(path, timeout=120)
    np.testing.assert_array_equal(here.pixels, there.pixels)
    assert there.windows == here.windows and there.metadata == here.metadata
    assert there.voi_luts[0].first_mapped == 1405


def test_isolated_error_is_image_read_error():
    with pytest.raises(ImageReadError, match="no Pixel Data"):
        load_image_isolated(DATA / "broken_no_pixeldata.dcm", timeout=120)


def test_isolated_time_limit():
    with pytest.raises(ImageReadError, match="longer than 0.001 s"):
        load_image_isolated(SAMPLES / "mdb023.pgm", timeout=0.001)

"""Percent density on real mini-MIAS films: a fatty film measures less dense than a dense one."""

import numpy as np
import pytest

from mammoviewer.density.measure import FEATURES, kmeans_1d, measure_density, measure_rendered
from mammoviewer.errors import NotMammogramError
from mammoviewer.io import load_image

from shared_paths import MIAS

from shared_paths import needs_shared  # noqa: E402

pytestmark = needs_shared()

FATTY, DENSE = MIAS / "mdb005.png", MIAS / "mdb003.png"  # Info.txt: F and D


def test_a_fatty_film_measures_less_dense_than_a_dense_film():
    fatty, dense = measure_density(load_image(FATTY)), measure_density(load_image(DENSE))
    assert 0.0 <= fatty.percent_density < 8.0 < 15.0 < dense.percent_density <= 100.0
    assert fatty.percent_density < dense.percent_density
    assert set(fatty.features) == set(FEATURES)
    assert fatty.features["percent_density"] == fatty.percent_density
    # the dense pixels lie inside the breast, and the breast is a real breast's size (mini-MIAS: 0.2 mm)
    assert not (dense.dense & ~dense.mask).any()
    assert 60.0 < dense.breast_area_cm2 < 400.0


def test_the_original_pgm_measures_as_its_png():
    png, pgm = measure_density(load_image(DENSE)), measure_density(load_image(MIAS / "pgm" / "mdb003.pgm"))
    assert pgm.percent_density == pytest.approx(png.percent_density, abs=1e-6)


def test_kmeans_finds_two_levels_and_sorts_them():
    values = np.r_[np.full(50, 0.2), np.full(30, 0.8)] + np.linspace(0, 0.01, 80)
    centres, assign = kmeans_1d(values, 2)
    assert centres == pytest.approx([0.205, 0.805], abs=0.01)
    assert (assign[:50] == 0).all() and (assign[50:] == 1).all()


def test_an_empty_rendering_has_no_breast():
    with pytest.raises(NotMammogramError, match=r"^blank: not a mammogram: no breast found"):
        measure_rendered(np.zeros((200, 200), np.float32), "blank")


def test_monochrome1_measures_as_its_monochrome2_original():
    from shared_paths import DICOM

    mono2 = measure_density(load_image(DICOM / "mg_cbis_rcc_small_explicit.dcm"))
    mono1 = measure_density(load_image(DICOM / "mg_cbis_rcc_small_mono1.dcm"))  # stored = 65535 - mono2
    assert mono1.percent_density == pytest.approx(mono2.percent_density, abs=1e-6)
    assert mono1.features == pytest.approx(mono2.features, abs=1e-6)

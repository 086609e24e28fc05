"""Patch mode: finding coordinates in the prepared film, window sampling, aggregation to the film."""

from __future__ import annotations

import numpy as np
import pytest

from mammoviewer.classify.data import CaseFilm
from mammoviewer.classify.patches import (
    PatchSettings, aggregate, crop, film_windows, lesion_points, sample_patches, standardise,
)


def _film(lesions=((700.0, 300.0, 40.0, 2),), unlocated=False) -> CaseFilm:
    return CaseFilm("mdb023", 12, "x.png", "malignant", tuple(lesions), unlocated)


def test_lesion_points_scale_and_follow_the_flip() -> None:
    assert lesion_points(_film(), False, 0.25, 256) == [(175.0, 75.0, 10.0, 2)]
    assert lesion_points(_film(), True, 0.25, 256) == [(81.0, 75.0, 10.0, 2)]


def test_crop_pads_outside_the_picture() -> None:
    pic = np.arange(16, dtype=np.float32).reshape(4, 4)
    out = crop(pic, 0.0, 0.0, 4)  # centred on the top-left corner
    np.testing.assert_array_equal(out[2:, 2:], pic[:2, :2])
    assert not out[:2].any() and not out[:, :2].any()


def test_sample_patches_centre_findings_and_keep_normals_away() -> None:
    pic = np.zeros((1, 256, 256), np.float32)
    pic[0, :, :200] = 0.4
    pic[0, 65:86, 165:186] = 1.0  # the finding at (175, 75) after scaling by 0.25
    s = PatchSettings(patch=32, per_lesion=5, normal_per_film=4, augment=PatchSettings().augment)
    xp, yp = sample_patches(pic, [_film()], np.array([False]), np.array([0.25]), s, np.random.default_rng(0))
    assert xp.shape == (9, 32, 32) and list(yp) == [2] * 5 + [0] * 4
    assert all(p[12:20, 12:20].mean() > 0.8 for p in xp[:5])  # the bright finding sits in the middle
    assert all(p.max() < 0.9 for p in xp[5:])  # normal windows avoid it
    xp, yp = sample_patches(pic, [_film(unlocated=True)], np.array([False]), np.array([0.25]), s,
                            np.random.default_rng(0))
    assert list(yp) == [2] * 5  # no normal tissue from a film with an unlocated finding


def test_film_windows_keep_tissue_only() -> None:
    pic = np.zeros((128, 128), np.float32)
    pic[:, :64] = 0.5
    wins = film_windows(pic, 32, 16)
    assert wins.shape == (7 * 4, 32, 32)  # 7 rows x columns 0, 16, 32, 48 (48..79 is half tissue)
    assert film_windows(np.zeros((64, 64), np.float32), 32, 16).shape == (9, 32, 32)


def test_aggregate_averages_the_most_abnormal_windows() -> None:
    q = np.array([[0.9, 0.05, 0.05], [0.2, 0.2, 0.6], [0.4, 0.5, 0.1], [0.8, 0.1, 0.1]])
    np.testing.assert_allclose(aggregate(q, 2), [0.3, 0.35, 0.35])
    np.testing.assert_allclose(aggregate(q, 1), q[1])
    assert aggregate(q, 10).sum() == pytest.approx(1.0)


def test_standardise_each_window() -> None:
    w = np.stack([np.full((8, 8), 0.7, np.float32), np.tile([0.0, 1.0], (8, 4)).astype(np.float32)])
    out = standardise(w)
    np.testing.assert_allclose(out[0], 0.0, atol=1e-5)  # flat window -> zeros
    np.testing.assert_allclose(out[1].mean(), 0.0, atol=1e-6)
    np.testing.assert_allclose(out[1].max(), 0.5 / 0.55, rtol=1e-5)


@pytest.mark.slow
def test_hard_normals_are_mined_away_from_findings() -> None:
    from mammoviewer.classify.patches import mine_hard_normals
    from mammoviewer.classify.model import ModelSettings, build_model

    pic = np.zeros((1, 128, 128), np.float32)
    pic[0, :, :100] = 0.4
    s = PatchSettings(patch=32, stride=16, hard_per_film=2)
    model = build_model(ModelSettings(size=32, width=4))
    film = _film(lesions=((200.0, 200.0, 20.0, 2),))  # at (50, 50) after scaling by 0.25
    (centres,) = mine_hard_normals(model, pic, [film], np.array([False]), np.array([0.25]), s)
    assert len(centres) == 2
    assert all(np.hypot(cx - 50, cy - 50) >= 5 + 8 for cx, cy in centres)
    assert mine_hard_normals(model, pic, [_film(unlocated=True)], np.array([False]), np.array([0.25]), s) == [[]]

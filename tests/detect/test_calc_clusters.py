"""Specks and speck clusters on synthetic films with known calcifications, and on a real MIAS cluster."""


import numpy as np
import pytest

from mammoviewer.detect import calc_clusters as cc

from shared_paths import MIAS

CLUSTER = [(300, 200), (306, 204), (298, 210), (310, 197), (303, 214), (295, 203)]  # (x, y) at 0.2 mm
LONE = [(100, 80), (420, 350)]


def _film(shape=(400, 500), seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]]
    film = 0.45 + 0.1 * np.sin(xx / 40.0) * np.cos(yy / 55.0) + rng.normal(0, 0.004, shape)
    for x, y in CLUSTER + LONE:
        film[y, x] += 0.25
        film[y, x + 1] += 0.15
    return film.astype(np.float32)


def test_specks_are_the_calcifications():
    s = cc.find_specks(_film(), (0.2, 0.2))
    found = set(zip(s.xs.tolist(), s.ys.tolist()))
    for x, y in CLUSTER + LONE:
        assert any(abs(x - fx) <= 1 and abs(y - fy) <= 1 for fx, fy in found), (x, y)
    assert len(s.xs) <= len(CLUSTER + LONE) + 3  # the smooth tissue and its grain make almost none
    assert np.all(s.contrast > cc.CONTRAST) and np.all(s.level > cc.MIN_LEVEL)


def test_the_cluster_is_the_first_candidate_and_lone_specks_make_none():
    film = _film()
    boxes = cc.find_clusters(cc.find_specks(film, (0.2, 0.2)), film.shape)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 < 295 and x1 > 311 and y0 < 197 and y1 > 214  # every speck inside, with its margin
    assert x1 - x0 < 8.0 / 0.2  # the cluster and its 1 mm margins: a few mm, not the film


def test_box_features_count_the_specks_inside():
    film = _film()
    s = cc.find_specks(film, (0.2, 0.2))
    f = cc.box_features(s, np.array([[290, 190, 320, 220], [0, 0, 60, 60]], float))
    assert f.shape == (2, len(cc.BOX_FEATURES))
    assert np.exp(f[0, 0]) - 1 == pytest.approx(len(CLUSTER), abs=1)
    assert f[1, 0] == 0 and f[1, 2] == 0
    assert f[0, 3] > f[1, 3]  # denser than the film's average


def test_the_breast_mask_keeps_specks_off_the_edge_and_outside():
    film = _film()
    breast = np.zeros(film.shape, bool)
    breast[:, 150:] = True  # the lone speck at x=100 is outside, the cluster inside
    s = cc.find_specks(film, (0.2, 0.2), breast)
    assert not np.any(s.xs < 150 + cc.EDGE_MM / cc.WORK_MM - 1)
    assert len(cc.find_clusters(s, film.shape)) == 1


def test_another_pixel_size_gives_boxes_in_the_films_own_pixels():
    film = _film()
    fine = np.kron(film, np.ones((2, 2), np.float32))  # the same film at 0.1 mm
    boxes = cc.find_clusters(cc.find_specks(fine, (0.1, 0.1)), fine.shape)
    assert len(boxes) == 1
    cx, cy = (boxes[0, 0] + boxes[0, 2]) / 2, (boxes[0, 1] + boxes[0, 3]) / 2
    assert abs(cx - 2 * 303) < 12 and abs(cy - 2 * 205) < 12


def test_a_flat_film_has_no_specks():
    s = cc.find_specks(np.full((200, 200), 0.5, np.float32), (0.2, 0.2))
    assert len(s.xs) == 0 and len(cc.find_clusters(s, (200, 200))) == 0


@pytest.mark.skipif(not (MIAS / "mdb219.png").is_file(), reason="shared MIAS films not present")
def test_a_real_calcification_cluster_has_a_candidate():
    from mammoviewer.detect.preprocess import render_for_model
    from mammoviewer.io import load_image

    film = render_for_model(load_image(MIAS / "mdb219.png"))  # CALC B at (546, 1024-756), radius 29
    boxes = cc.find_clusters(cc.find_specks(film, (0.2, 0.2)), film.shape)
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    assert np.any(np.hypot(centres[:, 0] - 546, centres[:, 1] - (1024 - 756)) < 29)

"""The other breast as an input plane: found beside the film, mirrored, fitted onto the breast, blurred."""

import cv2
import numpy as np
import pytest

from mammoviewer.detect import contralateral as cl
from mammoviewer.detect import preprocess as pp
from mammoviewer.io import load_image


def _breast(size: int, side: str, top: int, bottom: int, depth: int, spot=None) -> np.ndarray:
    """A half-ellipse of tissue against the ``side`` edge (chest wall), rows ``top..bottom``, ``depth`` deep."""
    img = np.zeros((size, size), np.uint8)
    centre_x = 0 if side == "left" else size - 1
    cv2.ellipse(img, (centre_x, (top + bottom) // 2), (depth, (bottom - top) // 2), 0, 0, 360, 150, -1)
    if spot is not None:
        cv2.circle(img, spot, 20, 240, -1)
    return img


def _centre(plane: np.ndarray, level: float) -> np.ndarray:
    rows, cols = np.nonzero(plane > level)
    return np.array([cols.mean(), rows.mean()])


def test_the_other_film_is_mirrored_and_stretched_onto_the_films_breast():
    film = _breast(256, "right", 40, 220, 120).astype(np.float32) / 255
    other = _breast(256, "left", 70, 210, 100).astype(np.float32) / 255  # smaller, lower, other side
    plane = cl.aligned(film, other, pixel_mm=0.4)
    assert plane.shape == film.shape and plane.dtype == np.float32
    own, fitted = film > 0.3, plane > 0.3
    assert (own & fitted).sum() / (own | fitted).sum() > 0.85
    unaligned = other[:, ::-1] > 0.3
    assert (own & unaligned).sum() / (own | unaligned).sum() < 0.75  # the fit did the work


def test_a_patients_other_mias_film_gives_the_plane(tmp_path):
    """mdb001 (right breast) and mdb002 (left): a bright spot on mdb002 appears mirrored on mdb001's plane."""
    cv2.imwrite(str(tmp_path / "mdb001.png"), _breast(1024, "right", 100, 900, 500))
    cv2.imwrite(str(tmp_path / "mdb002.png"), _breast(1024, "left", 100, 900, 500, spot=(200, 400)))
    mi = pp.prepare(load_image(tmp_path / "mdb001.png"), 0.4, multiple=64, inputs=("film", "contralateral"))
    assert mi.other_film == str(tmp_path / "mdb002.png")
    assert mi.stack.shape == (512, 512, 2) and np.array_equal(mi.stack[..., 0], mi.array)
    spot = _centre(mi.stack[..., 1], 0.8)
    np.testing.assert_allclose(spot, [(1023 - 200) / 2, 400 / 2], atol=4)  # mirrored, at the model's 0.4 mm
    assert mi.stack[..., 0][int(spot[1]), int(spot[0])] < 0.7  # the film itself has no spot there


@pytest.mark.parametrize("partner", [None, b"\x89PNG\r\n\x1a\n broken"])
def test_without_a_readable_other_film_the_film_stands_in(tmp_path, partner):
    cv2.imwrite(str(tmp_path / "mdb001.png"), _breast(1024, "right", 100, 900, 500, spot=(700, 300)))
    if partner is not None:
        (tmp_path / "mdb002.png").write_bytes(partner)
    mi = pp.prepare(load_image(tmp_path / "mdb001.png"), 0.4, multiple=64, inputs=("film", "contralateral"))
    assert mi.other_film is None
    np.testing.assert_allclose(mi.stack[..., 1], np.clip(cl.blurred(mi.array, 0.4), 0, 1), atol=1e-6)


def test_the_other_film_counts_in_the_training_cache_tag():
    from mammoviewer.detect.data import _pipeline_tag

    assert len({_pipeline_tag(("film",)), _pipeline_tag(("film", "tophat")),
                _pipeline_tag(("film", "contralateral"))}) == 3


def test_find_other_false_never_looks_for_the_other_film(tmp_path):
    cv2.imwrite(str(tmp_path / "mdb001.png"), _breast(1024, "right", 100, 900, 500))
    cv2.imwrite(str(tmp_path / "mdb002.png"), _breast(1024, "left", 100, 900, 500, spot=(200, 400)))
    image = load_image(tmp_path / "mdb001.png")
    mi = pp.prepare(image, 0.4, multiple=64, inputs=("film", "contralateral"), find_other=False)
    assert mi.other_film is None and mi.stack[..., 1].max() < 0.7  # no spot: the film stood in

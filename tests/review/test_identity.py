"""Film identity: two files with the same pixels are one film, whatever their names."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from mammoviewer.review.identity import content_hash, film_identity, identify_file
from mammoviewer.review.records import ImageRecord


def _film() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, (64, 48), dtype=np.uint8)


def test_the_pgm_and_the_png_of_one_film_are_one_film(tmp_path: Path) -> None:
    pixels = _film()
    cv2.imwrite(str(tmp_path / "mdb209.pgm"), pixels)
    cv2.imwrite(str(tmp_path / "copy.png"), pixels)
    pgm, png = identify_file(tmp_path / "mdb209.pgm"), identify_file(tmp_path / "copy.png")
    assert pgm is not None and png is not None and pgm[0] == png[0] == content_hash(pixels)
    other = pixels.copy()
    other[10, 10] ^= 1  # one pixel differs: another film
    assert content_hash(other) != pgm[0]
    assert content_hash(pixels.T.copy()) != pgm[0]  # same values, other shape


def test_equal_values_in_other_dtypes_are_the_same_content() -> None:
    pixels = _film()
    assert content_hash(pixels.astype(np.uint16)) == content_hash(pixels)
    assert content_hash(pixels.astype(np.float32)) == content_hash(pixels)  # after an identity Modality LUT
    assert content_hash(pixels.astype(np.float32) + 0.5) != content_hash(pixels)


def test_identity_is_the_content_when_known_else_the_path(tmp_path: Path) -> None:
    a = ImageRecord(key="/a.png", width=1, height=1, content_hash="px1:abc")
    b = ImageRecord(key="/b.png", width=1, height=1, content_hash="px1:abc")
    assert film_identity(a) == film_identity(b)
    assert film_identity(a.replace(content_hash=None)) != film_identity(b.replace(content_hash=None))
    (tmp_path / "junk.png").write_bytes(b"not an image")
    assert identify_file(tmp_path / "junk.png") is None and identify_file(tmp_path / "none.png") is None

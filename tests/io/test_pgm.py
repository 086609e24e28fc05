"""PGM reader: binary and ASCII, 8 and 16 bit, header rules, orientation."""

from __future__ import annotations

import numpy as np
import pytest

from loader_paths import DATA, SAMPLES
from mammoviewer.errors import ImageReadError
from mammoviewer.io import load_image


def stamp(rows: int = 6, cols: int = 9, maxval: int = 255) -> np.ndarray:
    """An asymmetric image: a flip, transpose or byte swap changes it."""
    img = (np.arange(rows * cols).reshape(rows, cols) * 7919 % (maxval + 1)).astype(np.int64)
    img[0, 0], img[0, -1], img[-1, 0] = maxval, 1, 2
    return img


def write_p5(path, img, maxval, comment="# made by the test\n"):
    dtype = np.uint8 if maxval < 256 else ">u2"
    rows, cols = img.shape
    header = f"P5\n{comment}{cols} {rows}\n{maxval}\n".encode()
    path.write_bytes(header + img.astype(dtype).tobytes())
    return path


def write_p2(path, img, maxval):
    rows, cols = img.shape
    body = "\n".join(" ".join(str(v) for v in row) for row in img)
    path.write_text(f"P2 # comment after magic\n{cols}\n# between\n{rows} {maxval}\n{body}\n")
    return path


@pytest.mark.parametrize("maxval", [255, 200, 4095, 65535])
def test_binary_pgm_keeps_values_and_orientation(tmp_path, maxval):
    img = stamp(maxval=maxval)
    image = load_image(write_p5(tmp_path / "a.pgm", img, maxval))
    assert image.format == "pgm"
    assert image.pixels.dtype == (np.uint8 if maxval < 256 else np.uint16)
    np.testing.assert_array_equal(image.pixels, img)
    assert image.pixels[0, -1] == 1 and image.pixels[-1, 0] == 2
    assert image.bits_stored == int(maxval).bit_length()
    assert image.metadata["comment"] == "made by the test"
    assert image.pixel_spacing_mm is None


def test_sixteen_bit_pgm_is_big_endian(tmp_path):
    path = tmp_path / "be.pgm"
    path.write_bytes(b"P5 2 1 65535\n" + bytes([0x01, 0x02, 0xFF, 0x00]))
    assert load_image(path).pixels.tolist() == [[0x0102, 0xFF00]]


@pytest.mark.parametrize("maxval", [255, 1023, 65535])
def test_ascii_pgm(tmp_path, maxval):
    img = stamp(maxval=maxval)
    image = load_image(write_p2(tmp_path / "a.pgm", img, maxval))
    np.testing.assert_array_equal(image.pixels, img)
    assert image.metadata["pgm_variant"] == "ASCII (P2)"
    assert image.metadata["comment"] == "comment after magic\nbetween"


def test_single_whitespace_after_maxval_belongs_to_header(tmp_path):
    # the first pixel value is 10 (a newline byte): it must not be swallowed as whitespace
    path = tmp_path / "ws.pgm"
    path.write_bytes(b"P5 3 1 255\n\n\x0b\x20")
    assert load_image(path).pixels.tolist() == [[10, 11, 32]]


def test_mias_pgm_is_a_0_2_mm_film():
    image = load_image(SAMPLES / "mdb023.pgm")
    assert image.pixels.shape == (1024, 1024) and image.pixels.dtype == np.uint8
    assert image.pixel_spacing_mm == (0.2, 0.2)
    assert image.laterality == "R" and image.view == "MLO"
    assert image.metadata["comment"] == "CREATOR: GIMP PNM Filter Version 1.1"


def test_mias_pgm_equals_png(shared_mias):
    for ref in ("mdb001", "mdb209"):
        png = load_image(shared_mias(f"{ref}.png"))
        pgm = load_image(SAMPLES / f"{ref}.pgm")
        np.testing.assert_array_equal(pgm.pixels, png.pixels)
        assert png.format == "png" and png.pixel_spacing_mm == (0.2, 0.2)


def test_non_mias_name_has_no_spacing(tmp_path):
    data = (SAMPLES / "mdb001.pgm").read_bytes()
    (tmp_path / "film.pgm").write_bytes(data)
    assert load_image(tmp_path / "film.pgm").pixel_spacing_mm is None


def test_pgm_named_dcm_loads_as_pgm():
    image = load_image(DATA / "broken_pgm_named_dcm.dcm")
    assert image.format == "pgm"
    assert image.pixels.shape == (293, 162)
    assert image.pixels.dtype == np.uint8


@pytest.mark.parametrize(
    "content, match",
    [
        (b"P5 -3 2 255\n" + b"\0" * 6, "negative, zero or absurd"),
        (b"P5 0 2 255\n", "negative, zero or absurd"),
        (b"P5 100000 100000 255\n", "negative, zero or absurd"),
        (b"P5 3 2 70000\n" + b"\0" * 12, "maxval 70000"),
        (b"P5 3 2 255\n\0\0\0", "truncated PGM data: 3 of 6 bytes"),
        (b"P5 3 2", "truncated PGM header"),
        (b"P5 3 x 255\n", "bad PGM header value"),
        (b"P2 2 2 255\n1 2 3", "truncated PGM data: 3 of 4 values"),
        (b"P2 2 1 100\n1 200", "value 200 exceeds maxval 100"),
        (b"P5 2 1 100\n\x01\xc8", "value 200 exceeds maxval 100"),
    ],
)
def test_bad_pgm(tmp_path, content, match):
    path = tmp_path / "bad.pgm"
    path.write_bytes(content)
    with pytest.raises(ImageReadError, match=match) as info:
        load_image(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)

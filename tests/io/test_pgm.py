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


def _ascii_pgm(pixels: np.ndarray, maxval: int = 65535, extra: bytes = b"") -> bytes:
    rows = "\n".join(" ".join(map(str, r)) for r in pixels.tolist())
    return f"P2\n# made by a test\n{pixels.shape[1]} {pixels.shape[0]}\n{maxval}\n{rows}\n".encode() + extra


@pytest.mark.parametrize("chunk", [1, 3, 64, 1 << 23])
def test_ascii_pgm_parsed_in_chunks_keeps_every_value(tmp_path, monkeypatch, chunk):
    from mammoviewer.io import pgm

    monkeypatch.setattr(pgm, "_ASCII_CHUNK", chunk)
    pixels = np.random.default_rng(3).integers(0, 65536, (7, 9))
    pixels[0, :3] = (0, 65535, 7)
    path = tmp_path / "a.pgm"
    path.write_bytes(_ascii_pgm(pixels, extra=b"P2\n# the next image of a concatenated file\n2 1\n255\n1 2\n"))
    assert np.array_equal(pgm.read_pgm(path).pixels, pixels)
    path.write_bytes(_ascii_pgm(pixels).replace(b" 7 ", b" 7 # a comment in the raster 5 5\n", 1))
    assert np.array_equal(pgm.read_pgm(path).pixels, pixels)
    for junk, problem in ((b" 7 ", "non-numeric"), (b" -7 ", "negative"), (b" 99999999999999999999999 ", "exceeds")):
        path.write_bytes(_ascii_pgm(pixels).replace(b" 7 ", junk if junk.strip() != b"7" else b" 7x ", 1))
        with pytest.raises(ImageReadError, match=problem):
            pgm.read_pgm(path)


def test_a_large_ascii_pgm_costs_its_pixels_not_a_python_object_per_value(tmp_path):
    """An 8192 x 8192 ASCII PGM (within the limit) took 5.3 GB and 19 s: one bytes object per value.
    Parsed by numpy a few MB at a time, a 2048 x 2048 one needs little beyond the file and its pixels."""
    import tracemalloc

    from mammoviewer.io.pgm import read_pgm

    pixels = np.random.default_rng(5).integers(0, 65536, (2048, 2048))
    path = tmp_path / "big.pgm"
    path.write_bytes(_ascii_pgm(pixels))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        image = read_pgm(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(image.pixels, pixels)
    assert peak < size + 2048 * 2048 * 16, f"peak {peak / 1e6:.0f} MB for a {size / 1e6:.0f} MB file"

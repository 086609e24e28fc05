"""PNG and TIFF through OpenCV: 8/16 bit, orientation, colour."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mammoviewer.io import load_image


def stamp(dtype) -> np.ndarray:
    top = np.iinfo(dtype).max
    img = (np.arange(7 * 11).reshape(7, 11) * 40503 % (top + 1)).astype(dtype)
    img[0, 0], img[0, -1], img[-1, 0] = top, 1, 2
    return img


@pytest.mark.parametrize("ext, fmt", [(".png", "png"), (".tif", "tiff")])
@pytest.mark.parametrize("dtype, bits", [(np.uint8, 8), (np.uint16, 16)])
def test_gray_round_trip(tmp_path, ext, fmt, dtype, bits):
    img = stamp(dtype)
    path = tmp_path / f"a{ext}"
    assert cv2.imwrite(str(path), img)
    image = load_image(path)
    assert image.format == fmt and image.bits_stored == bits
    assert image.pixels.dtype == dtype
    np.testing.assert_array_equal(image.pixels, img)


def test_content_wins_over_extension(tmp_path):
    img = stamp(np.uint16)
    ok, buf = cv2.imencode(".png", img)
    (tmp_path / "really_png.tif").write_bytes(buf.tobytes())
    image = load_image(tmp_path / "really_png.tif")
    assert image.format == "png"
    np.testing.assert_array_equal(image.pixels, img)


def test_colour_is_converted_and_noted(tmp_path):
    bgr = np.zeros((3, 4, 3), np.uint8)
    bgr[..., 2] = 255  # pure red
    assert cv2.imwrite(str(tmp_path / "c.png"), bgr)
    image = load_image(tmp_path / "c.png")
    assert image.pixels.shape == (3, 4)
    assert int(image.pixels[0, 0]) == 76  # 0.299 * 255
    assert "converted to gray" in image.metadata["converted"]


def test_gray_saved_as_rgb_is_read_losslessly(tmp_path):
    img = stamp(np.uint16)
    assert cv2.imwrite(str(tmp_path / "g.png"), np.dstack([img, img, img]))
    image = load_image(tmp_path / "g.png")
    np.testing.assert_array_equal(image.pixels, img)
    assert "equal channels" in image.metadata["converted"]

"""Values a file may declare are checked where they are read: absurd spacings, LUTs, rescales and
decompression bombs give one ImageReadError naming the file, the tag and the value."""

from __future__ import annotations

import struct
import warnings
import zlib

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from loader_paths import DATA
from mammoviewer.errors import ImageReadError
from mammoviewer.io import load_image
from mammoviewer.io.display import apply_voi_lut, render
from mammoviewer.io.image import VoiLut
from mammoviewer.io.limits import MAX_IMAGE_PIXELS

CT = DATA / "ct_wg04_small_rescale.dcm"  # 128 x 128, 16-bit signed, Pixel Spacing 0.661468


def _dicom(tmp_path, name="x.dcm", voi=None, **values):
    ds = pydicom.dcmread(CT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns of the invalid values written on purpose
        for key, value in values.items():
            setattr(ds, key, value)
        if voi is not None:
            item = Dataset()
            item.add_new(0x00283002, "US", voi)
            item.add_new(0x00283006, "US", list(range(0, 4096, 16)))
            ds.VOILUTSequence = Sequence([item])
        ds.save_as(tmp_path / name)
    return tmp_path / name


def refused(path, match: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageReadError, match=match) as info:
            load_image(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    return message


@pytest.mark.parametrize("spacing, match", [
    (["1e6", "1e6"], r"Pixel Spacing \(0028,0030\) 1e\+06 mm is outside"),
    (["inf", "inf"], r"Pixel Spacing \(0028,0030\) is 'inf', not a finite number"),
    (["nan", "0.1"], r"Pixel Spacing \(0028,0030\) is 'nan', not a finite number"),
    (["0", "0"], r"Pixel Spacing \(0028,0030\) 0 mm is outside"),
])
def test_absurd_pixel_spacing_is_refused_naming_the_tag(tmp_path, spacing, match):
    refused(_dicom(tmp_path, PixelSpacing=spacing), match)


def test_imager_pixel_spacing_is_checked_too(tmp_path):
    path = _dicom(tmp_path, ImagerPixelSpacing=["1e6", "1e6"])
    ds = pydicom.dcmread(path)
    del ds.PixelSpacing
    ds.save_as(path)
    refused(path, r"Imager Pixel Spacing \(0018,1164\) 1e\+06 mm")


def test_plausible_spacing_still_loads(tmp_path):
    assert load_image(_dicom(tmp_path, PixelSpacing=["0.07", "0.07"])).pixel_spacing_mm == (0.07, 0.07)


def test_voi_lut_of_65535_bits_is_refused(tmp_path):
    refused(_dicom(tmp_path, voi=[256, 0, 65535]), r"VOI LUT Descriptor \(0028,3002\) gives 65535 bits")


@pytest.mark.parametrize("slope", ["NaN", "inf"])
def test_non_finite_rescale_slope_with_a_voi_lut_is_refused(tmp_path, slope):
    path = _dicom(tmp_path, voi=[256, 0, 12], RescaleSlope=slope, RescaleIntercept="0")
    refused(path, rf"Rescale Slope \(0028,1053\) is '{slope}', not a finite number")


def test_rescale_beyond_float_range_is_refused(tmp_path):
    refused(_dicom(tmp_path, RescaleSlope="1", RescaleIntercept="1e300"), "beyond the float range")


def test_a_voi_lut_renders_whatever_the_pixels_hold():
    lut = VoiLut(first_mapped=0, bits=12, table=np.arange(0, 4096, 16, dtype=np.uint16))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = apply_voi_lut(np.array([np.nan, -1e30, 1e30, 5.0]), lut)
    assert out.tolist() == pytest.approx([0.0, 0.0, 4080 / 4095, 80 / 4095])
    with pytest.raises(ValueError, match="65535 bits"):
        apply_voi_lut(np.zeros(3), VoiLut(0, 65535, lut.table))


def test_valid_voi_lut_still_renders(tmp_path):
    image = load_image(_dicom(tmp_path, voi=[256, 0, 12]))
    assert image.voi_luts[0].bits == 12 and np.isfinite(render(image)).all()


def _png_bomb(path, side: int) -> None:
    """A gray PNG of ``side`` x ``side`` zero pixels: a few hundred KB that decode to side**2 bytes."""
    raw = zlib.compress(b"\0" * (side + 1) * 1000, 9)  # 1000 rows; the header claims ``side``
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def test_decompression_bomb_png_is_refused_before_decoding(tmp_path):
    _png_bomb(tmp_path / "bomb.png", 20000)
    assert (tmp_path / "bomb.png").stat().st_size < 400_000
    refused(tmp_path / "bomb.png", r"PNG header declares 20000x20000 pixels \(400 million\)")


def test_tiff_bomb_is_refused(tmp_path):
    import cv2

    side = int(MAX_IMAGE_PIXELS**0.5) + 64
    cv2.imwrite(str(tmp_path / "big.tif"), np.zeros((side, side), np.uint8))
    refused(tmp_path / "big.tif", rf"TIFF header declares {side}x{side} pixels")


def test_pgm_beyond_the_pixel_cap_is_refused(tmp_path):
    (tmp_path / "big.pgm").write_bytes(b"P5\n65536 65536\n255\n" + b"\0" * 100)
    refused(tmp_path / "big.pgm", "PGM header declares 65536x65536 pixels")


def test_libpng_complaints_become_the_message_not_stderr(tmp_path, capfd):
    import cv2

    ok, buf = cv2.imencode(".png", np.full((64, 64), 100, np.uint8))
    data = bytearray(buf.tobytes())
    data[60] ^= 0xFF  # inside the IDAT data: libpng prints "libpng error: IDAT: incorrect data check"
    (tmp_path / "bad.png").write_bytes(bytes(data))
    problem = refused(tmp_path / "bad.png", "PNG could not be decoded").split(": ", 1)[1]
    assert problem == "PNG could not be decoded (IDAT: incorrect data check)"
    assert capfd.readouterr().err == ""

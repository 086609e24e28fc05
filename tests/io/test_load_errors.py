"""Every kind of bad input gives one ImageReadError line naming the file and the problem."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from loader_paths import DATA
from mammoviewer.errors import ImageReadError, MammoViewerError
from mammoviewer.io import load_image


def raises(path, match: str) -> ImageReadError:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning may escape either
        with pytest.raises(ImageReadError, match=match) as info:
            load_image(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert isinstance(info.value, MammoViewerError)
    return info.value


def test_missing_file(tmp_path):
    raises(tmp_path / "nope.dcm", "no such file")


def test_directory(tmp_path):
    raises(tmp_path, "is a directory")


def test_empty_file(tmp_path):
    (tmp_path / "empty.pgm").write_bytes(b"")
    raises(tmp_path / "empty.pgm", "empty file")


def test_text_named_dcm_is_unknown_format():
    raises(DATA / "broken_not_dicom_text.dcm", "unknown image format")


def test_wrong_magic(tmp_path):
    (tmp_path / "a.png").write_bytes(b"GIF89a" + b"\0" * 200)
    raises(tmp_path / "a.png", "unknown image format")


def test_dicom_without_pixel_data():
    raises(DATA / "broken_no_pixeldata.dcm", "no Pixel Data")


def test_truncated_jpeg_ls_empty_dataset():
    raises(DATA / "broken_truncated_jpegls.dcm", "truncated or corrupt DICOM")


def test_truncated_uncompressed_pixel_data(shared_dicom):
    raises(shared_dicom("broken_truncated_pixeldata.dcm"), "truncated DICOM Pixel Data: 759456 of 1518912 bytes")


def test_jpeg_that_fails_to_decode_names_transfer_syntax(shared_dicom):
    raises(shared_dicom("mg1_wg04_lmlo_jpeg_ext12.dcm"), r"failed to decode JPEG Extended .*1\.2\.840\.10008\.1\.2\.4\.51")


def _dataset_with(tmp_path, rows: int, cols: int, pixel_bytes: bytes, syntax=None):
    import pydicom

    ds = pydicom.dcmread(DATA / "mg_ge_sends_lcc_for_processing_4x4.dcm")
    ds.Rows, ds.Columns = rows, cols
    ds.PixelData = pixel_bytes
    if syntax is not None:
        ds.file_meta.TransferSyntaxUID = syntax
    path = tmp_path / "x.dcm"
    ds.save_as(path)
    return path


def test_absurd_dicom_size_is_refused_before_decoding(tmp_path):
    raises(_dataset_with(tmp_path, 65535, 65535, b"\0" * 32), "absurd")


def test_dicom_rows_zero(tmp_path):
    raises(_dataset_with(tmp_path, 0, 4, b"\0" * 32), "invalid")


def test_encapsulated_data_too_small_for_its_size(tmp_path):
    from pydicom.encaps import encapsulate
    from pydicom.uid import RLELossless

    path = _dataset_with(tmp_path, 4000, 4000, encapsulate([b"\0" * 8]), RLELossless)
    raises(path, "RLE Lossless .*truncated")


def test_codec_not_installed_names_transfer_syntax(tmp_path):
    from pydicom.encaps import encapsulate

    path = _dataset_with(tmp_path, 4, 4, encapsulate([b"\0" * 64]), "1.2.840.10008.1.2.4.100")
    raises(path, r"no installed decoder for MPEG2 .*1\.2\.840\.10008\.1\.2\.4\.100")


def test_corrupt_rle_fails_to_decode(tmp_path):
    from pydicom.encaps import encapsulate
    from pydicom.uid import RLELossless

    path = _dataset_with(tmp_path, 4, 4, encapsulate([b"\xff" * 64]), RLELossless)
    raises(path, "failed to decode RLE Lossless")


def test_truncated_png(tmp_path):
    import cv2

    ok, buf = cv2.imencode(".png", np.arange(10000, dtype=np.uint16).reshape(100, 100))
    assert ok
    (tmp_path / "t.png").write_bytes(buf.tobytes()[:200])
    raises(tmp_path / "t.png", "PNG could not be decoded")


def test_float_tiff_is_refused(tmp_path):
    import cv2

    assert cv2.imwrite(str(tmp_path / "f.tif"), np.ones((4, 4), np.float32))
    raises(tmp_path / "f.tif", "float32 is not supported")


def test_junk_after_a_dicom_like_start(tmp_path):
    # starts like a bare dataset (group 0008), then garbage
    (tmp_path / "junk.dcm").write_bytes(b"\x08\x00\x05\x00CS\x0a\x00" + bytes(range(256)) * 4)
    raises(tmp_path / "junk.dcm", "DICOM")

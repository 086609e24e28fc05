"""DICOM loader: golden values from the sample set's README, every transfer syntax."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from loader_paths import DATA, S_SHA256
from mammoviewer.io import load_image


def sha(pixels: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()


S_POINTS = {(0, 0): 49538, (100, 100): 0, (586, 324): 7222, (586, 560): 52665, (1171, 647): 65535}


def check_s(image) -> None:
    """The subsampled CBIS-DDSM film "S": every lossless encoding must give exactly these pixels."""
    assert image.pixels.shape == (1172, 648) and image.pixels.dtype == np.uint16
    for (r, c), value in S_POINTS.items():
        assert image.pixels[r, c] == value
    assert sha(image.pixels) == S_SHA256
    assert image.photometric == "MONOCHROME2" and image.bits_stored == 16
    assert image.modality == "MG" and image.laterality == "R" and image.view == "CC"


def test_jpeg_ls_lossless_copy_in_tests_data():
    image = load_image(DATA / "mg_cbis_rcc_small_jpegls_ll.dcm")
    check_s(image)
    assert "JPEG-LS Lossless" in image.metadata["transfer_syntax"]
    assert image.metadata["PatientName"] == "Mass-Test_P_00820_RIGHT_CC"


@pytest.mark.parametrize(
    "name, syntax",
    [
        ("mg_cbis_rcc_small_explicit.dcm", "Explicit VR Little Endian"),
        ("mg_cbis_rcc_small_implicit.dcm", "Implicit VR Little Endian"),
        ("mg_cbis_rcc_small_jpeg_ll_sv1.dcm", "JPEG Lossless"),
        ("mg_cbis_rcc_small_j2k_ll.dcm", "JPEG 2000 Image Compression (Lossless Only)"),
        ("mg_cbis_rcc_small_rle.dcm", "RLE Lossless"),
        ("mg_cbis_rcc_small_no_meta_implicit.dcm", "Implicit VR Little Endian"),
    ],
)
def test_lossless_encodings_equal_s(shared_dicom, name, syntax):
    image = load_image(shared_dicom(name))
    check_s(image)
    assert syntax in image.metadata["transfer_syntax"]


def test_monochrome1_is_inverse_of_s(shared_dicom):
    image = load_image(shared_dicom("mg_cbis_rcc_small_mono1.dcm"))
    assert image.photometric == "MONOCHROME1"
    s = load_image(DATA / "mg_cbis_rcc_small_jpegls_ll.dcm").pixels
    np.testing.assert_array_equal(image.pixels.astype(np.int64), 65535 - s.astype(np.int64))
    assert image.pixels[100, 100] == 65535 and image.pixels[586, 560] == 12870
    assert round(float(image.pixels.mean()), 3) == 54930.424


@pytest.mark.slow
def test_full_size_rle_film(shared_dicom):
    image = load_image(shared_dicom("mg_cbis_rcc_full_rle.dcm"))
    px = image.pixels
    assert px.shape == (4688, 2592) and px.dtype == np.uint16
    assert (px[0, 0], px[2344, 1296], px[2344, 2240], px[4687, 2591]) == (49538, 7222, 52665, 65535)
    assert round(float(px.mean()), 3) == 10640.619
    assert sha(px) == "2537624ac8d155e984bb5029babc10196bfda301e2e67f1cd11e9bf4ed17d848"
    assert image.view == "CC"  # only PatientOrientation says so
    assert image.pixel_spacing_mm is None and image.windows == ()
    np.testing.assert_array_equal(px[::4, ::4], load_image(DATA / "mg_cbis_rcc_small_jpegls_ll.dcm").pixels)


def test_j2k_lossy_within_tolerance(shared_dicom):
    px = load_image(shared_dicom("mg_cbis_rcc_small_j2k_lossy.dcm")).pixels
    assert (px[0, 0], px[586, 324], px[586, 560], px[1171, 647]) == (49526, 7244, 52686, 65502)
    assert sha(px) == "6ca01c0b1a0b29d8e052a0b05b1207483a40f8d6e252bb6d44f9dd63dee58ed0"
    s = load_image(DATA / "mg_cbis_rcc_small_jpegls_ll.dcm").pixels
    assert np.abs(px.astype(np.int64) - s).max() <= 242


def test_jpeg_baseline_8bit(shared_dicom):
    image = load_image(shared_dicom("mg_cbis_rcc_small_jpeg_baseline8.dcm"))
    px = image.pixels
    assert px.dtype == np.uint8 and image.bits_stored == 8
    expected = {(0, 0): 193, (100, 100): 0, (586, 324): 28, (586, 560): 203, (1171, 647): 255}
    for (r, c), value in expected.items():
        assert abs(int(px[r, c]) - value) <= 1  # decoders differ by up to 1
    assert abs(float(px.mean()) - 41.11) < 0.02


def test_jpeg_extended_12bit_rescale_applies_modality_lut(shared_dicom):
    image = load_image(shared_dicom("mg_cbis_rcc_small_jpeg_ext12_rescale.dcm"))
    px = image.pixels
    assert image.bits_stored == 12 and px.dtype == np.float32
    expected = {(0, 0): 49563.3443, (586, 324): 7137.6337, (586, 560): 52540.0256, (1171, 647): 65535.0}
    for (r, c), value in expected.items():
        assert px[r, c] == pytest.approx(value, abs=0.01)
    assert float(px.min()) == 0.0
    assert "rescale slope 16.003663" in image.metadata["modality_lut"]


def test_real_12bit_jpeg_extended_mammogram(shared_dicom):
    image = load_image(shared_dicom("mg1_wg04_lmlo_jpeg_ext12_sosfixed.dcm"))
    px = image.pixels
    assert px.shape == (4664, 3064) and image.bits_stored == 12
    assert (px[0, 0], px[2332, 1532], px[4663, 3063]) == (4095, 2200, 3844)
    assert sha(px) == "13ab6334bbd647678f74ce8e7dfd5ccaf2178fec36fb0a2159dcd29e07c66059"
    assert image.modality == "RG" and image.laterality == "L" and image.view == "MLO"
    assert [(w.center, w.width, w.function) for w in image.windows] == [(2047.0, 4095.0, "LINEAR")]


def test_cr_monochrome1_j2k_lossy(shared_dicom):
    image = load_image(shared_dicom("cr_wg04_rg3_mono1_j2k_lossy.dcm"))
    px = image.pixels
    assert image.photometric == "MONOCHROME1" and image.modality == "CR" and image.bits_stored == 10
    assert px[880, 880] == 306 and (int(px.min()), int(px.max())) == (0, 1023)
    assert sha(px) == "25559cb05640e9e9860e91adf4d49dd3469694d0ff56bbf76c8853c3e05f4cc5"
    assert image.laterality == "R" and image.view == "AP"


def test_ct_signed_rescale():
    image = load_image(DATA / "ct_wg04_small_rescale.dcm")  # its preamble holds a TIFF header
    px = image.pixels
    assert image.format == "dicom" and image.modality == "CT"
    assert (px[0, 0], px[64, 64], px[127, 127]) == (-849, 904, -115)
    assert (int(px.min()), int(px.max())) == (-896, 1167)
    assert px.dtype.kind == "i"


def test_modality_lut_sequence(shared_dicom):
    px = load_image(shared_dicom("ot_ihe_mlut18_modality_lut_seq.dcm")).pixels
    assert (px[0, 0], px[256, 256], px[511, 511]) == (32759, 31447, 65535)


def test_us_8bit_jpeg_lossless(shared_dicom):
    image = load_image(shared_dicom("us_8bit_jpeg_ll_sv1.dcm"))
    assert image.pixels.dtype == np.uint8 and image.pixels[384, 512] == 15
    assert round(float(image.pixels.mean()), 3) == 17.258
    assert image.windows[0].center == 127 and image.windows[0].width == 254


def test_ge_for_presentation_header():
    image = load_image(DATA / "mg_ge_seno_lcc_for_presentation_hdr.dcm")
    assert image.pixels.tolist() == [[2316, 2322]]
    assert image.presentation_intent == "FOR PRESENTATION"
    assert (image.laterality, image.view, image.modality) == ("L", "CC", "MG")
    assert [(w.center, w.width, w.name, w.function) for w in image.windows] == [
        (2262.0, 380.0, "NORMAL", "SIGMOID"),
        (2286.0, 380.0, "HARDER", "SIGMOID"),
        (2262.0, 500.0, "SOFTER", "SIGMOID"),
    ]
    descriptors = [(len(v.table), v.first_mapped, v.bits) for v in image.voi_luts]
    assert descriptors == [(1715, 1405, 12), (1715, 1429, 12), (2255, 1135, 12)]
    assert image.pixel_spacing_mm == (74.708182, 46.575)
    assert image.metadata["Manufacturer"].startswith("GE")


def test_ge_for_processing_monochrome1_4x4():
    image = load_image(DATA / "mg_ge_sends_lcc_for_processing_4x4.dcm")
    assert image.pixels.tolist() == [
        [1063, 5396, 15963, 16383], [996, 1005, 10940, 16383],
        [997, 1014, 11068, 16383], [1079, 5777, 16026, 16383],
    ]
    assert image.photometric == "MONOCHROME1" and image.bits_stored == 14
    assert image.presentation_intent == "FOR PROCESSING" and image.windows == () and image.voi_luts == ()


def test_imager_pixel_spacing_when_no_pixel_spacing(tmp_path):
    import pydicom

    ds = pydicom.dcmread(DATA / "mg_ge_sends_lcc_for_processing_4x4.dcm")
    del ds.PixelSpacing
    ds.ImagerPixelSpacing = [0.1, 0.1]
    del ds.ViewPosition
    ds.save_as(tmp_path / "x.dcm")
    image = load_image(tmp_path / "x.dcm")
    assert image.pixel_spacing_mm == (0.1, 0.1)
    assert image.view == "CC"  # from the View Code Sequence "cranio-caudal"


def test_multiframe_takes_first_frame(tmp_path):
    import pydicom
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    frames = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = SecondaryCaptureImageStorage, generate_uid(), "DX"
    ds.Rows, ds.Columns, ds.NumberOfFrames = 4, 5, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = frames.tobytes()
    pydicom.dcmwrite(tmp_path / "mf.dcm", ds, enforce_file_format=True)
    image = load_image(tmp_path / "mf.dcm")
    np.testing.assert_array_equal(image.pixels, frames[0])
    assert image.metadata["frames"] == "3 frames; showing the first"
    assert image.modality == "DX"


def pydicom_file(name: str):
    import pydicom.data
    from pathlib import Path

    path = Path(pydicom.data.__file__).parent / "test_files" / name
    if not path.is_file():
        pytest.skip(f"pydicom test file {name} is not installed")
    return path


def test_big_endian_becomes_native():
    import pydicom

    image = load_image(pydicom_file("MR_small_bigendian.dcm"))
    assert image.pixels.dtype == np.int16 and image.pixels.dtype.isnative
    little = pydicom.dcmread(pydicom_file("MR_small.dcm")).pixel_array
    np.testing.assert_array_equal(image.pixels, little)


def test_colour_dicoms_become_gray_and_say_so():
    rgb = load_image(pydicom_file("SC_rgb_rle_2frame.dcm"))
    assert rgb.pixels.shape == (100, 100) and rgb.photometric == "MONOCHROME2"
    assert rgb.metadata["converted"] == "colour (RGB) converted to gray"
    assert rgb.metadata["frames"] == "2 frames; showing the first"
    ybr = load_image(pydicom_file("SC_ybr_full_422_uncompressed.dcm"))  # chroma-subsampled, 2/3 the bytes
    assert ybr.pixels.shape == (100, 100)
    palette = load_image(pydicom_file("examples_palette.dcm"))
    assert palette.metadata["converted"] == "colour (PALETTE COLOR) converted to gray"


def test_truncated_small_dicom():
    from mammoviewer.errors import ImageReadError

    with pytest.raises(ImageReadError, match="truncated DICOM Pixel Data: 8130 of 8192 bytes"):
        load_image(pydicom_file("MR_truncated.dcm"))

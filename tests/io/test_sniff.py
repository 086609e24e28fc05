"""Format recognition by content."""

from __future__ import annotations

import pytest

from loader_paths import DATA
from mammoviewer.io.sniff import SNIFF_BYTES, sniff_format


@pytest.mark.parametrize(
    "head, fmt",
    [
        (b"\0" * 128 + b"DICM", "dicom"),
        (b"II*\0" + b"\0" * 124 + b"DICM", "dicom"),  # DICOM whose preamble is a TIFF header
        (b"P5\n# c\n3 2\n255\n", "pgm"),
        (b"P2 3 2 255\n", "pgm"),
        (b"P6\n3 2\n255\n", None),  # colour PPM is not supported
        (b"P5x", None),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "png"),
        (b"II*\0" + b"\0" * 8, "tiff"),
        (b"MM\0*" + b"\0" * 8, "tiff"),
        (b"\x08\x00\x05\x00CS\x0a\x00", "dicom"),  # bare dataset, explicit VR
        (b"\x08\x00\x05\x00\x0a\x00\x00\x00", "dicom"),  # bare dataset, implicit VR
        (b"This is not a DICOM file.", None),
        (b"", None),
    ],
)
def test_sniff(head, fmt):
    assert sniff_format(head) == fmt


def test_sample_files():
    def head(name):
        return (DATA / name).read_bytes()[:SNIFF_BYTES]

    assert sniff_format(head("broken_pgm_named_dcm.dcm")) == "pgm"
    assert sniff_format(head("ct_wg04_small_rescale.dcm")) == "dicom"
    assert sniff_format(head("broken_not_dicom_text.dcm")) is None


def test_bare_dataset_sample(shared_dicom):
    assert sniff_format(shared_dicom("mg_cbis_rcc_small_no_meta_implicit.dcm").read_bytes()[:SNIFF_BYTES]) == "dicom"

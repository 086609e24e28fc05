"""Randomly damaged copies of real files: each either loads or raises one-line ImageReadError, silently."""

from __future__ import annotations

import random
import warnings

import pytest

from loader_paths import DATA, SAMPLES, SHARED
from mammoviewer.errors import ImageReadError
from mammoviewer.io import load_image

SOURCES = [
    DATA / "mg_cbis_rcc_small_jpegls_ll.dcm",
    DATA / "mg_ge_seno_lcc_for_presentation_hdr.dcm",
    DATA / "ct_wg04_small_rescale.dcm",
    SAMPLES / "mdb023.pgm",
    SHARED / "dicom" / "mg_cbis_rcc_small_rle.dcm",  # damaged RLE once made a Rust decoder panic
    SHARED / "dicom" / "mg_cbis_rcc_small_j2k_ll.dcm",
]


def damaged(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    op = rng.choice(("truncate", "flip", "zero"))
    if op == "truncate":
        return bytes(out[: rng.randrange(1, len(out))])
    if op == "flip":
        for _ in range(rng.randrange(1, 20)):
            out[rng.randrange(0, min(len(out), 4000))] = rng.randrange(256)
        return bytes(out)
    start = rng.randrange(0, min(len(out), 3000))
    out[start : start + rng.randrange(1, 64)] = b"\0" * 8
    return bytes(out)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_damaged_copies_never_escape_as_other_errors(tmp_path, source, capfd):
    if not source.is_file():
        pytest.skip(f"{source.name} is not available")
    rng = random.Random(source.name)
    data = source.read_bytes()
    failures = 0
    for i in range(25):
        path = tmp_path / f"damaged{i}{source.suffix}"
        path.write_bytes(damaged(data, rng))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                load_image(path)
            except ImageReadError as exc:
                failures += 1
                assert "\n" not in str(exc) and str(exc).startswith(str(path))
    assert failures > 0  # the damage is real: some copies must be refused
    captured = capfd.readouterr()
    assert "panicked" not in captured.err and "ERROR" not in captured.err

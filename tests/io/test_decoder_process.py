"""The warm decoder child: decodes, reports bad files, is restarted after the child died."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mammoviewer.errors import ImageReadError
from mammoviewer.io.decoder_process import DecoderProcess

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.slow
def test_decoder_child_decodes_reports_errors_and_restarts_after_a_crash(tmp_path):
    dicom = DATA / "mg_cbis_rcc_small_jpegls_ll.dcm"
    if not dicom.is_file():
        pytest.skip("tests/data/mg_cbis_rcc_small_jpegls_ll.dcm is absent")
    from mammoviewer.io import load_image

    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"\x00junk" * 50)
    decoder = DecoderProcess()
    try:
        image = decoder.decode(dicom, timeout=60)
        assert np.array_equal(image.pixels, load_image(dicom).pixels)
        with pytest.raises(ImageReadError, match="junk.dcm"):
            decoder.decode(junk, timeout=60)
        first = decoder._proc
        assert first is not None and first.is_alive()  # a bad file does not cost a restart
        first.kill()  # the child dies (as after a codec crash)
        first.join(5)
        assert decoder.decode(dicom, timeout=60).pixels.shape == image.pixels.shape  # restarted
        assert decoder._proc is not first and decoder._proc.is_alive()
    finally:
        decoder.close()
    assert decoder._proc is None

"""Library error text becomes one clean line: no OpenCV source paths, no codec chatter, no source lines."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from mammoviewer.messages import clean_message, warning_line

OPENCV = ("OpenCV(5.1.0) /io/opencv/modules/core/src/alloc.cpp:73: error: (-4:Insufficient memory) Failed to "
          "allocate 4746600000000000000 bytes in function 'OutOfMemoryError'\n")


def test_opencv_errors_lose_their_source_path():
    assert clean_message(OPENCV) == "Insufficient memory: Failed to allocate 4746600000000000000 bytes"


def test_a_real_cv2_error_is_clean():
    import cv2

    with pytest.raises(cv2.error) as info:
        cv2.resize(np.zeros((4, 4), np.float32), (0, 0))
    text = clean_message(info.value)
    assert ".cpp" not in text and "/opencv/" not in text and "OpenCV(" not in text and "\n" not in text
    assert text


def test_codec_chatter_and_source_locations_are_dropped():
    text = "libpng warning: iCCP: known incorrect sRGB profile\nbad thing at /src/x/decoder.c:12: here"
    assert clean_message(text) == "bad thing at here"
    assert clean_message("x" * 500, limit=20) == "x" * 17 + "..."


def test_cli_prints_a_library_warning_as_one_line(monkeypatch, capsys):
    import mammoviewer.cli.info as info
    from mammoviewer.cli import main

    def noisy(args) -> int:
        np.subtract(np.array([np.inf]), np.array([np.inf]))  # numpy: "invalid value encountered in subtract"
        return 0

    monkeypatch.setattr(info, "run", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert main(["info", "whatever.pgm"]) == 0
    err = capsys.readouterr().err
    assert err == "mammoviewer: warning: RuntimeWarning: invalid value encountered in subtract\n"
    assert warning_line("a\nb", UserWarning) == "mammoviewer: warning: UserWarning: a b"

"""Window Center / Width checked where the DICOM header is read: unusable windows give way to the full
range with a note, usable ones are kept exactly; the display pipeline's levels stay finite."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hostile_films import HOSTILE, write_windowed

from mammoviewer.io import Window, load_image
from mammoviewer.io.display import display_lut, full_window, render
from mammoviewer.io.window_values import FALLBACK_NAME, NOTE_KEY, window_problem


@pytest.mark.parametrize("centre, width, function", HOSTILE)
def test_an_unusable_window_gives_way_to_the_full_range_with_a_note(tmp_path, centre, width, function):
    image = load_image(write_windowed(tmp_path / "w.dcm", centre, width, function))
    full = full_window(image)
    assert image.windows == (Window(full.center, full.width, FALLBACK_NAME, "LINEAR"),)
    note = image.metadata[NOTE_KEY]
    assert note.startswith("DICOM Window Center/Width (0028,1050/1051)") and "full range is shown" in note
    assert "\n" not in note
    (lo, hi), lut = display_lut(image, image.windows[0])
    assert (lo, hi) == (0.0, 4095.0) and lut[0] == 0 and lut[-1] == 255
    picture = render(image)
    assert np.isfinite(picture).all() and 0.0 < float(picture.mean()) < 1.0  # a ramp, not one grey


def test_usable_windows_are_kept_as_written(tmp_path):
    image = load_image(write_windowed(tmp_path / "w.dcm", "2047\\1e308", "4095\\1e-308", "SIGMOID"))
    assert image.windows == (Window(2047.0, 4095.0, "", "SIGMOID"),)  # the unusable second one is left out
    assert "1e+308 / 1e-308 (SIGMOID)" in image.metadata[NOTE_KEY]
    assert "the file's other windows are shown" in image.metadata[NOTE_KEY]
    fine = load_image(write_windowed(tmp_path / "f.dcm", "1000", "1", "LINEAR"))
    assert fine.windows == (Window(1000.0, 1.0, "", "LINEAR"),) and NOTE_KEY not in fine.metadata


@pytest.mark.parametrize("centre, width, problem", [
    (math.nan, 10.0, "finite"), (0.0, math.inf, "finite"), (100.0, 0.0, "above 0"), (100.0, 1e-9, "under"),
    (100.0, 1e9, "width is over"), (1e9, 100.0, "centre is over"), (-1e9, 100.0, "centre is over")])
def test_window_problem_names_the_problem(centre, width, problem):
    assert problem in window_problem(Window(centre, width), 0.0, 4095.0, 4095.0)
    assert window_problem(Window(2047.0, 4095.0), 0.0, 4095.0, 4095.0) is None
    assert window_problem(Window(-500.0, 3000.0), 0.0, 4095.0, 4095.0) is None  # outside, but sane

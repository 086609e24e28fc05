"""Display pipeline: DICOM VOI functions, VOI LUT, MONOCHROME1, and LUT/render agreement."""

from __future__ import annotations

import numpy as np
import pytest

from loader_paths import DATA, SAMPLES
from mammoviewer.io import Image, Window, load_image
from mammoviewer.io.display import (
    LEVEL_LIMIT,
    apply_voi_lut,
    apply_window,
    auto_window,
    default_window,
    display_lut,
    full_window,
    lut_indices,
    render,
    safe_window,
)

GE_PRESENTATION = DATA / "mg_ge_seno_lcc_for_presentation_hdr.dcm"


def test_linear_follows_ps3_3_formula():
    # C.11.2.1.2.1 with c=100, w=11: x <= 94.5 -> 0, x > 104.5 -> 1, else ((x-99.5)/10 + 0.5)
    x = np.array([90, 94.5, 95, 99.5, 100, 104, 104.5, 105, 200])
    out = apply_window(x, Window(100, 11))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0, 0, 0.05, 0.5, 0.55, 0.95, 1, 1, 1], atol=1e-6)


def test_linear_exact():
    out = apply_window(np.array([94, 94.5, 100, 105.5, 106]), Window(100, 11, function="LINEAR_EXACT"))
    np.testing.assert_allclose(out, [0, 0, 0.5, 1, 1], atol=1e-6)


def test_sigmoid():
    out = apply_window(np.array([-1e9, 100, 1e9, 111]), Window(100, 11, function="SIGMOID"))
    np.testing.assert_allclose(out, [0, 0.5, 1, 1 / (1 + np.exp(-4))], atol=1e-6)


def test_unknown_function_is_refused():
    with pytest.raises(ValueError, match="VOI LUT Function 'GAMMA'"):
        apply_window(np.zeros(2), Window(1, 2, function="GAMMA"))


def test_real_12bit_linear_window_matches_pydicom_golden(shared_dicom):
    # README: apply_windowing (index 0) gives px[2332,1532] -> 2201.0375 on a 12-bit output range
    image = load_image(shared_dicom("mg1_wg04_lmlo_j2k_lossy.dcm"))
    value = image.pixels[2332:2333, 1532:1533]
    assert float(apply_window(value, image.windows[0])[0, 0]) * 4095 == pytest.approx(2214.0407, abs=0.01)


def test_sigmoid_window_matches_pydicom_golden():
    image = load_image(GE_PRESENTATION)
    out = render(image, image.windows[0]) * 4095
    np.testing.assert_allclose(out[0], [2614.2429, 2673.4101], atol=0.01)


def test_voi_lut_matches_pydicom_golden():
    image = load_image(GE_PRESENTATION)
    out = apply_voi_lut(image.pixels, image.voi_luts[0]) * 4095
    np.testing.assert_allclose(out[0], [2614, 2673], atol=1e-3)
    # with no window given, render uses the file's VOI LUT
    np.testing.assert_allclose(render(image)[0] * 4095, [2614, 2673], atol=1e-3)


def test_default_window_is_the_files_first():
    assert default_window(load_image(GE_PRESENTATION)) == Window(2262.0, 380.0, "NORMAL", "SIGMOID")


def test_monochrome1_displays_like_monochrome2(shared_dicom):
    s = load_image(DATA / "mg_cbis_rcc_small_jpegls_ll.dcm")
    m1 = load_image(shared_dicom("mg_cbis_rcc_small_mono1.dcm"))
    w = Window(30000.5, 20000)
    m1_window = Window(65535 - 30000.5 + 1, 20000)  # the mirrored window (LINEAR is offset by 1 at its edges)
    np.testing.assert_allclose(render(m1, m1_window), render(s, w), atol=1e-4)
    assert render(s, w)[586, 560] == 1.0 and render(m1, m1_window)[586, 560] == 1.0  # bright breast
    np.testing.assert_allclose(render(s, w, invert=True), 1 - render(s, w), atol=1e-6)
    # the automatic windows mirror each other too
    a_s, a_m1 = auto_window(s), auto_window(m1)
    assert a_s.width == a_m1.width
    assert np.abs(render(m1) - render(s)).mean() < 0.01


def test_auto_window_ignores_mostly_black_background():
    image = load_image(SAMPLES / "mdb023.pgm")
    w = auto_window(image)
    assert (image.pixels <= 2).mean() > 0.25  # over a quarter of this film is black background
    lo = w.center - 0.5 - (w.width - 1) / 2
    assert lo > 2  # the black background (0-2) is below the window, not part of it
    assert w.center + w.width / 2 < 240  # the top percentile, not the brightest speck
    assert render(image, w)[image.pixels <= 2].max() == 0
    shown = render(image, w)[image.pixels > 50]
    assert 0.2 < shown.mean() < 0.8


def test_full_window():
    image = load_image(DATA / "mg_ge_sends_lcc_for_processing_4x4.dcm")  # 14-bit unsigned
    w = full_window(image)
    out = apply_window(np.array([0, 16383]), w)
    np.testing.assert_allclose(out, [0, 1])
    ct = load_image(DATA / "ct_wg04_small_rescale.dcm")  # signed: actual range
    np.testing.assert_allclose(apply_window(np.array([-896, 1167]), full_window(ct)), [0, 1])


def lut_picture(image: Image, window, invert=False) -> np.ndarray:
    levels, lut = display_lut(image, window, invert)
    assert lut.shape == (256,) and lut.dtype == np.uint8
    return lut[lut_indices(image.pixels, levels)].astype(np.float64)


def test_display_lut_agrees_with_render_linear(shared_dicom):
    image = load_image(shared_dicom("mg1_wg04_lmlo_j2k_lossy.dcm"))
    for window in (image.windows[0], Window(1800, 900)):
        diff = np.abs(lut_picture(image, window) - render(image, window) * 255)
        assert diff.max() <= 1.0


def test_display_lut_agrees_with_render_monochrome1_and_invert(shared_dicom):
    image = load_image(shared_dicom("cr_wg04_rg3_mono1_j2k_lossy.dcm"))
    for invert in (False, True):
        diff = np.abs(lut_picture(image, image.windows[0], invert) - render(image, image.windows[0], invert) * 255)
        assert diff.max() <= 1.0
    assert lut_picture(image, image.windows[0])[image.pixels == 0].min() == 255  # MONOCHROME1: low = white


@pytest.mark.parametrize("index", [0, 1, 2])
def test_display_lut_agrees_with_render_sigmoid(index):
    image = load_image(GE_PRESENTATION)
    window = image.windows[index]
    ramp = Image("ramp", "dicom", np.arange(1000, 4096, dtype=np.uint16).reshape(-1, 1), 12)
    diff = np.abs(lut_picture(ramp, window) - render(ramp, window) * 255)
    assert diff.max() <= 255 * 4 / 256 / 2 + 0.6  # half a bin (levels span 4 widths) at the steepest slope, plus rounding
    assert diff.mean() < 0.6
    real = np.abs(lut_picture(image, window) - render(image, window) * 255)
    assert real.max() <= 3


def test_display_lut_agrees_with_render_voi_lut():
    image = load_image(GE_PRESENTATION)
    ramp = Image("ramp", "dicom", np.arange(1000, 4096, dtype=np.uint16).reshape(-1, 1), 12,
                 voi_luts=image.voi_luts)
    diff = np.abs(lut_picture(ramp, None) - render(ramp) * 255)
    assert diff.max() <= 4 and diff.mean() < 1


def test_display_lut_default_window_on_pgm():
    image = load_image(SAMPLES / "mdb209.pgm")
    diff = np.abs(lut_picture(image, None) - render(image) * 255)
    assert diff.max() <= 1.0


@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.int32])
def test_large_integer_images_give_the_same_picture_as_the_formula(dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(0)
    lo = max(int(info.min), -40000)
    values = rng.integers(lo, lo + 70000 if dtype != np.int16 else info.max, size=(400, 300)).astype(dtype)
    image = Image("x", "dicom", values, 16)
    for window in (Window(float(values.mean()), 3000.0), Window(float(values.mean()), 900.0, function="SIGMOID")):
        np.testing.assert_allclose(render(image, window), apply_window(values, window), atol=1e-6)


HOSTILE_WINDOWS = [Window(c, w, function=f) for f in ("LINEAR", "LINEAR_EXACT", "SIGMOID")
                   for c, w in ((1e308, 1e-308), (-1e308, 1e308), (1e308, 1e308), (0.0, -1.0), (float("nan"), 5.0),
                                (float("inf"), float("nan")), (3e38, 1e-30), (-1e30, 1e-300))]


@pytest.mark.parametrize("window", HOSTILE_WINDOWS, ids=lambda w: f"{w.function}:{w.center:g}/{w.width:g}")
@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_levels_and_pictures_are_finite_whatever_the_window(window, dtype):
    image = Image(path="x", format="dicom", pixels=np.arange(300, dtype=dtype).reshape(15, 20), bits_stored=12)
    (lo, hi), lut = display_lut(image, window)
    assert np.isfinite([lo, hi]).all() and hi > lo
    assert np.isfinite(np.float32([lo, hi])).all() and np.float32(hi) > np.float32(lo)  # pyqtgraph's float32
    assert lut.dtype == np.uint8 and lut.shape == (256,)
    idx = lut_indices(image.pixels, (lo, hi))
    assert idx.min() >= 0 and idx.max() <= 255
    assert np.isfinite(render(image, window)).all()


def test_safe_window_keeps_usable_windows_and_clamps_the_rest():
    usable = Window(2047, 4095, "W", "SIGMOID")
    assert safe_window(usable) is usable
    clamped = safe_window(Window(1e308, 1e-308, "X", "LINEAR"))
    assert clamped.center == LEVEL_LIMIT and clamped.width == pytest.approx(LEVEL_LIMIT * 1e-6) and clamped.name == "X"
    assert safe_window(Window(float("nan"), float("nan"))) == Window(0.0, 1.0)


@pytest.mark.parametrize("levels", [(1e308, 1e308), (float("nan"), 1.0), (5.0, 5.0), (9.0, 1.0), (-np.inf, np.inf)])
def test_lut_indices_of_levels_from_elsewhere(levels):
    values = np.array([np.nan, -np.inf, 0.0, 7.0, np.inf, 1e308])
    idx = lut_indices(values, levels)  # no ZeroDivisionError, no IndexError
    assert idx.min() >= 0 and idx.max() <= 255 and idx[0] == 0

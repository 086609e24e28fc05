"""The not-a-mammogram rule on the shared CT, ultrasound and CR leg film, and on real mammograms."""

import numpy as np
import pytest

from mammoviewer.density.guard import breast_problem, check_mammogram, mammogram_problem
from mammoviewer.errors import DetectorError, NotMammogramError
from mammoviewer.io import load_image

from shared_paths import DATA, DICOM, MIAS

from shared_paths import needs_shared  # noqa: E402

pytestmark = needs_shared()


@pytest.mark.parametrize("name, modality", [
    ("ct_wg04_small_rescale.dcm", "CT"), ("us_8bit_jpeg_ll_sv1.dcm", "US"),
    ("cr_wg04_rg3_mono1_j2k_lossy.dcm", "CR"), ("ot_ihe_mlut18_modality_lut_seq.dcm", "OT")])
def test_other_modalities_are_refused_with_one_line_naming_the_file(name, modality):
    image = load_image(DICOM / name)
    with pytest.raises(NotMammogramError) as caught:
        check_mammogram(image)
    message = str(caught.value)
    assert message.startswith(f"{image.path}: not a mammogram: DICOM Modality {modality}")
    assert "\n" not in message and isinstance(caught.value, DetectorError)


def test_the_small_ct_of_the_tests_is_refused():
    assert "Modality CT" in mammogram_problem(load_image(DATA / "ct_wg04_small_rescale.dcm"))


@pytest.mark.parametrize("path", [MIAS / "mdb001.png", DICOM / "mg_cbis_rcc_small_explicit.dcm",
                                  DICOM / "mg1_wg04_lmlo_j2k_lossy.dcm"])  # MIAS PNG, MG, RG with BREAST
def test_mammograms_pass(path):
    assert mammogram_problem(load_image(path)) is None


def test_no_breast_on_an_empty_or_tiny_mask():
    assert "no breast found" in breast_problem(np.zeros((100, 100), bool), 1.6)
    mask = np.zeros((100, 100), bool)
    mask[:10, :10] = True  # 1 % of the film
    assert "covers 1.0 %" in breast_problem(mask, 1.6)
    mask[:60, :60] = True
    assert breast_problem(mask, 1.6) is None

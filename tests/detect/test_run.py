"""``detect_film``: one film to its ``detect --json`` entry, on the bundled model and real files."""

from pathlib import Path

import pytest

from mammoviewer.detect import Detector, default_model_path
from mammoviewer.detect.run import detect_film, error_entry, model_identity
from mammoviewer.errors import DetectorError

ROOT = Path(__file__).resolve().parents[2]
FILM = ROOT / "resources" / "samples" / "mdb023.pgm"
pytestmark = pytest.mark.skipif(not default_model_path().is_file(), reason="bundled model not present")


@pytest.fixture(scope="module")
def detector():
    return Detector.load(device="cpu")


def test_entry_of_a_film(detector):
    film = detect_film(detector, str(FILM), 0.1)
    entry = film.entry
    assert not film.failed and film.pixel_spacing_mm == 0.2  # a mini-MIAS film: 0.2 mm pixels
    assert list(entry) == ["path", "width", "height", "seconds", "findings"]
    assert entry["path"] == str(FILM) and (entry["width"], entry["height"]) == (1024, 1024)
    assert entry["findings"] and all(f["score"] >= 0.1 for f in entry["findings"])
    expected = detector.detect(__import__("mammoviewer.io", fromlist=["load_image"]).load_image(FILM), 0.1)
    assert [f["score"] for f in entry["findings"]] == [round(d.score, 6) for d in expected]
    assert [f["box"] for f in entry["findings"]] == [[round(v, 2) for v in d.box] for d in expected]


def test_an_unreadable_film_is_an_error_entry(detector, tmp_path):
    bad = tmp_path / "truncated.pgm"
    bad.write_bytes(b"P5\n1024 1024\n255\n" + b"\x00" * 10)
    film = detect_film(detector, str(bad), 0.1)
    assert film.failed and set(film.entry) == {"path", "error"} and film.entry["path"] == str(bad)
    assert film.entry["error"].startswith(str(bad)) and film.pixel_spacing_mm is None


class _Broken:
    """A detector whose forward pass fails in a way no project code foresaw."""

    def detect(self, image, threshold):
        raise RuntimeError("kernel failed\nsecond line")


def test_an_unexpected_failure_is_that_films_error_not_a_crash():
    film = detect_film(_Broken(), str(FILM), 0.1)
    assert film.entry == {"path": str(FILM),
                          "error": f"{FILM}: unexpected RuntimeError: kernel failed second line"}


def test_error_entry_is_one_line():
    assert error_entry("a.png", "a.png: bad\n  header") == {"path": "a.png", "error": "a.png: bad header"}


def test_model_identity_matches_the_loaded_detector(detector):
    ident = model_identity()
    assert (ident.name, ident.version, ident.default_threshold) == \
        (detector.name, detector.version, detector.default_threshold)
    assert ident.label == f"{detector.name} {detector.version}"


def test_model_identity_of_a_missing_model_is_a_detector_error(tmp_path):
    with pytest.raises(DetectorError, match="none.keras: model file not found"):
        model_identity(tmp_path / "none.keras")

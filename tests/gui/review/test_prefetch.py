"""Background detection works ahead on the next few films of the worklist only: opening one film of a
large folder never detects, nor puts into the review store, the whole folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_support import write_pgm16
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from review_fakes import ScriptedDetector

from mammoviewer.gui.review.prefetch import AHEAD, films_ahead
from mammoviewer.review import ReviewStore
from mammoviewer.review.keys import image_key


def test_films_ahead_are_the_next_few_after_the_current_one():
    paths = [f"/f/{i}.pgm" for i in range(10)]
    assert films_ahead(paths, "/f/2.pgm", 3) == ["/f/3.pgm", "/f/4.pgm", "/f/5.pgm"]
    assert films_ahead(paths, "/f/8.pgm", 3) == ["/f/9.pgm"]  # never wraps round to the whole folder
    assert films_ahead(paths, None, 2, shown=image_key("/f/0.pgm")) == ["/f/1.pgm", "/f/2.pgm"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of 12 small films (the case of a large MIAS folder, in miniature)."""
    folder = tmp_path / "many"
    folder.mkdir()
    r, c = np.mgrid[0:60, 0:80]
    for i in range(12):
        write_pgm16(folder / f"f{i:02d}.pgm", (1000 + 10 * r + c + i).astype(np.uint16))
    return folder


def test_opening_one_film_detects_and_stores_only_it_and_the_next_few(qtbot, window, tmp_path, folder):
    from mammoviewer.gui.app import attach_review

    store_path = tmp_path / "review.sqlite"
    detector = ScriptedDetector()
    review = attach_review(window, store=store_path, detector_factory=lambda: detector)
    try:
        assert review.background.enabled  # on by default
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            window.open_path(folder / "f03.pgm")
        assert len(window.worklist.paths()) == 12  # the folder is listed to go through ...
        ahead = [f"f{i:02d}.pgm" for i in range(4, 4 + AHEAD)]
        qtbot.waitUntil(lambda: len(detector.calls) >= 1 + AHEAD, timeout=20000)
        qtbot.waitUntil(lambda: review.detection.prefetching is None, timeout=15000)
        qtbot.wait(300)  # nothing more starts
        assert sorted(detector.calls) == sorted(["f03.pgm", *ahead])
        with ReviewStore.open(store_path) as store:  # ... but only these films enter the store
            assert sorted(Path(i.key).name for i in store.images()) == sorted(["f03.pgm", *ahead])
        # the next film shows at once from the store, and the window moves one film on
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            QTest.keyClick(window, Qt.Key.Key_N)
        qtbot.waitUntil(lambda: f"f{4 + AHEAD:02d}.pgm" in detector.calls, timeout=15000)
        assert detector.calls.count("f04.pgm") == 1
    finally:
        review.close()


def test_the_background_part_alone_asks_only_for_the_films_ahead(app):
    """BackgroundDetection with a stand-in host: no window, no model; it asks the detector service for the
    next film ahead that the store has no run of, one at a time."""
    from types import SimpleNamespace

    from mammoviewer.gui.review.prefetch import BackgroundDetection

    paths = [f"/films/f{i}.pgm" for i in range(10)]
    asked: list[str] = []
    detection = SimpleNamespace(detector=SimpleNamespace(name="d", version="1"), prefetching=None, busy=False,
                                prefetch=lambda key, path, loader: asked.append(path),
                                cancel_prefetch=lambda: asked.append("cancelled"))
    worklist = SimpleNamespace(paths=lambda: paths, current_path=lambda: paths[5])
    stored = {image_key(paths[6])}
    host = SimpleNamespace(detection=detection, key=image_key(paths[5]), window=SimpleNamespace(
        worklist=worklist, loader=None), session=SimpleNamespace(has_model_run=lambda k, n, v: k in stored))
    part = BackgroundDetection(host, ahead=3)
    assert part.candidates() == paths[6:9]
    part.next()
    assert asked == [paths[7]]  # f6 already has a run
    part.next()
    part.next()
    assert asked == [paths[7], paths[8]] and part.done == {image_key(p) for p in paths[6:9]}
    part.next()
    assert len(asked) == 2  # nothing beyond the three ahead
    part.set_enabled(False)
    assert asked[-1] == "cancelled"


def test_a_shown_film_whose_background_run_fails_is_detected_in_front_and_says_why(qtbot, window, tmp_path, folder):
    """The reader moves onto a film while its background run is going; that run fails (a film the detector
    refuses): the film is run again in front, its failure is said and the window does not wait for ever."""
    import threading

    from mammoviewer.errors import DetectorError
    from mammoviewer.gui.app import attach_review

    gate = threading.Event()

    class RefusesF04(ScriptedDetector):
        def detect(self, image, threshold: float = 0.0, cancel=None):
            if Path(image.path).name == "f04.pgm":
                self.calls.append("f04.pgm")
                gate.wait(10)
                raise DetectorError(f"{image.path}: not a mammogram: no breast found on the film")
            return super().detect(image, threshold, cancel)

    detector = RefusesF04()
    review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=lambda: detector)
    try:
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            window.open_path(folder / "f03.pgm")
        qtbot.waitUntil(lambda: review.detection.prefetching is not None and "f04.pgm" in detector.calls,
                        timeout=15000)
        errors: list[str] = []
        window.show_error = errors.append
        with qtbot.waitSignal(review.findingsShown, timeout=15000) as shown:
            QTest.keyClick(window, Qt.Key.Key_N)  # onto f04, whose background run is still going
            qtbot.waitUntil(lambda: review.key is not None and review.key.endswith("f04.pgm"), timeout=15000)
            gate.set()
        assert shown.args[0].endswith("f04.pgm") and review.findings_ready()
        assert detector.calls.count("f04.pgm") == 2  # the failed background run, then the one in front
        assert any("f04.pgm" in e and "no breast found" in e for e in errors), errors
    finally:
        gate.set()
        review.close()

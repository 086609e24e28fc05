"""Detection in the window with the real detector: loaded in the background, run on a worker
thread, the event loop never stalls, findings stored with the model version.

The bundled model (models/idbll-light) is used when present; without it an untrained
IDBLL network of the same architecture is built, so the threading, store and drawing are
still exercised on real TensorFlow inference (the figures of a trained model come with it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from mammoviewer.review import ReviewStore

ROOT = Path(__file__).resolve().parents[3]
BUNDLED = ROOT / "models" / "idbll-light" / "model.keras"
#: longest the Qt event loop may go without running (the issue's 50 ms)
MAX_STALL_S = 0.050


def _film() -> Path:
    from gui_support import mias_film_path

    return mias_film_path()


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> Path:
    if BUNDLED.is_file():
        return BUNDLED
    pytest.importorskip("keras")
    from mammoviewer.detect.anchors import AnchorSpec
    from mammoviewer.keras_runtime import keras  # noqa: F401 (quiet import)
    from mammoviewer.detect.model import build_ssd

    folder = tmp_path_factory.mktemp("untrained-idbll")
    spec = AnchorSpec()
    build_ssd("light", spec, num_classes=3, width=0.5).save(folder / "model.keras")
    card = {"name": "idbll-untrained", "version": "0", "pixel_mm": 0.4, "labels": ["benign", "malignant"],
            "anchors": spec.to_dict(), "default_threshold": 0.4, "nms_iou": 0.45, "max_detections": 100}
    (folder / "model.json").write_text(json.dumps(card))
    return folder / "model.keras"


class StallMeter:
    """A 10 ms QTimer on the UI thread; ``worst`` is the longest gap between two ticks."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self.ticks = 0
        self._last = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last)
        self._last = now
        self.ticks += 1

    def __enter__(self) -> StallMeter:
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


@pytest.mark.slow
def test_real_detection_never_stalls_the_window_and_is_stored(qtbot, window, tmp_path, model_path, capsys):
    from mammoviewer.detect import Detector
    from mammoviewer.gui.app import attach_review
    from mammoviewer.gui.review.detection import detector_factory

    film = _film()
    store_path = tmp_path / "review.sqlite"
    review = attach_review(window, store=store_path, detector_factory=detector_factory(str(model_path), "cpu"))
    review.set_background_detection(False)  # one detection at a time is what is measured here
    try:
        qtbot.waitUntil(lambda: review.detection.loading, timeout=5000)  # at start-up, in the background
        assert "Loading" in window.model_label.text() and review.progress.isVisible()
        with StallMeter() as load_meter:
            qtbot.waitUntil(lambda: review.detection.detector is not None, timeout=180000)
        detector = review.detection.detector
        assert f"{detector.name} {detector.version}" in window.model_label.text()
        assert window.device_label.text() == "Device: CPU"
        assert review.panel.threshold == pytest.approx(detector.default_threshold)  # from the model card

        # the first attempt opens the film (load, first detection); later ones detect again.
        # Other programs on a shared machine can hold the CPU for tens of milliseconds at any
        # time, so each attempt first measures the idle window for a second: an attempt passes
        # when detection stalls less than 50 ms, or no more than the idle window just did.
        # A UI thread blocked by our own work would fail every attempt.
        attempts: list[tuple[float, float, int, list[float]]] = []
        for attempt in range(5):
            with StallMeter() as idle:
                qtbot.wait(1000)
            durations = []
            with StallMeter() as meter:
                for run in range(3):
                    start = time.perf_counter()
                    if attempt == 0 and run == 0:
                        with qtbot.waitSignal(review.findingsShown, timeout=120000):
                            window.open_path(film)
                    else:
                        with qtbot.waitSignal(review.detection.busyChanged, timeout=120000,
                                              check_params_cb=lambda busy: not busy):
                            review.detect_again()
                    durations.append(time.perf_counter() - start)
            attempts.append((meter.worst, idle.worst, meter.ticks, durations))
            if meter.worst < max(MAX_STALL_S, idle.worst):
                break
        with capsys.disabled():
            for worst, idle_worst, ticks, durations in attempts:
                print(f"\n[event-loop stall] worst gap {worst * 1000:.1f} ms over {ticks} ticks of 10 ms during "
                      f"{len(durations)} detections ({', '.join(f'{d:.2f}' for d in durations)} s); "
                      f"idle window just before: {idle_worst * 1000:.1f} ms", end="")
            print(f"\n[event-loop stall] model load (not bounded): worst gap {load_meter.worst * 1000:.0f} ms")
        assert all(ticks > 5 for _, _, ticks, _ in attempts)
        worst, idle_worst = attempts[-1][:2]
        assert worst < max(MAX_STALL_S, idle_worst), (
            f"the event loop stalled {worst * 1000:.0f} ms during detection in every attempt")

        # what the window shows is what the detector finds, stored with the model version
        key = str(film.absolute())
        shown = sorted((f.box.as_tuple(), f.label, round(f.score, 5)) for f in review.findings())
        from mammoviewer.io import load_image

        direct = Detector.load(model_path, device="cpu").detect(load_image(film), threshold=review.detection.floor)
        assert shown == sorted((tuple(d.box), d.label, round(d.score, 5)) for d in direct)
        with ReviewStore.open(store_path) as store:
            runs = store.model_runs(key)
            assert runs and all(r["model_version"] == detector.version for r in runs)
            assert {f.model_name for f in store.findings(key)} <= {detector.name}
        assert len(review.overlay.shown_ids()) == sum(1 for d in direct if d.score >= review.panel.threshold)
    finally:
        review.close()


@pytest.mark.slow
@pytest.mark.skipif(not BUNDLED.is_file(), reason="bundled model not present yet (models/idbll-light)")
def test_view_screenshot_waits_for_the_bundled_models_findings(tmp_path):
    """End to end: ``mammoviewer view FILM --screenshot`` with the bundled model stores and draws findings."""
    film = _film()
    out, store = tmp_path / "shot.png", tmp_path / "review.sqlite"
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run([sys.executable, "-m", "mammoviewer", "view", str(film), "--store", str(store),
                             "--screenshot", str(out), "--size", "1200x800"],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert out.is_file() and out.stat().st_size > 10000
    with ReviewStore.open(store) as s:
        key = str(film.absolute())
        assert s.model_runs(key) and s.model_runs(key)[0]["model_name"] == "idbll-light"
        assert s.findings(key)


def test_the_status_bar_names_the_model_that_loads(qtbot, app):
    from mammoviewer.gui.jobs import JobRunner
    from mammoviewer.gui.review.detection import DetectorService, detector_factory

    factory = detector_factory()  # the bundled model: its card's name and version, read without loading it
    if BUNDLED.is_file():
        card = json.loads(BUNDLED.with_name("model.json").read_text())
        assert factory.label == f"{card['name']} {card['version']}"
    runner = JobRunner()
    states: list[str] = []
    from types import SimpleNamespace

    def fake():
        return SimpleNamespace(name="idbll-test", version="2", device="CPU", default_threshold=0.3)

    fake.label = "idbll-test 2"  # type: ignore[attr-defined]
    service = DetectorService(runner, fake, None)
    service.stateChanged.connect(states.append)
    service.load()
    assert states[0] == "Loading detection model idbll-test 2\u2026"
    qtbot.waitUntil(lambda: service.detector is not None, timeout=10000)
    assert states[-1] == "Model idbll-test 2 on CPU"
    assert runner.wait(10000)


@pytest.mark.slow
@pytest.mark.skipif(not BUNDLED.with_suffix(".onnx").is_file(), reason="bundled model's ONNX twin not present")
def test_the_viewer_shows_findings_without_importing_tensorflow(tmp_path):
    film = _film()
    code = ("import json, sys\n"
            "from mammoviewer.gui.app import run_viewer\n"
            f"run_viewer([{str(film)!r}], screenshot={str(tmp_path / 'shot.png')!r}, "
            f"store={str(tmp_path / 'review.sqlite')!r})\n"
            "print(json.dumps([m for m in ('tensorflow', 'keras') if m in sys.modules]))\n")
    env = dict(os.environ, HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    with ReviewStore.open(tmp_path / "review.sqlite") as s:
        assert s.findings(str(film.absolute()))  # the findings were drawn and stored


def test_a_film_without_a_breast_is_refused_in_one_line_and_never_reaches_the_detector(qtbot, window, tmp_path):
    """The header test (a CT) is the controller's; the breast test runs with the model, off the UI thread."""
    import numpy as np
    from review_fakes import ScriptedDetector, write_pgm16

    from mammoviewer.gui.app import attach_review

    blank = tmp_path / "blank.pgm"
    write_pgm16(blank, np.full((200, 300), 1000, np.uint16))  # no tissue anywhere
    detector = ScriptedDetector()
    review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=lambda: detector)
    review.set_background_detection(False)
    failed: list[str] = []
    review.detection.detectionFailed.connect(lambda key, message: failed.append(message))
    try:
        window.open_path(blank)
        qtbot.waitUntil(lambda: bool(failed), timeout=20000)
        assert len(failed) == 1 and "\n" not in failed[0]
        assert "blank.pgm: not a mammogram: no breast found on the film" in failed[0]
        assert detector.calls == [] and review.findings() == []
    finally:
        review.close()

"""Helpers of the findings-review tests: small films and a scripted stand-in detector.

The stand-in is used only where the model is not what a test is about (the review
workflow, the store, undo); ``test_review_detection.py`` runs the real detector.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gui_support import write_pgm16
from PySide6.QtCore import QPoint, QPointF

FILM_ROWS, FILM_COLS = 200, 300


@dataclass(frozen=True)
class FakeDetection:
    box: tuple[float, float, float, float]
    label: str
    score: float


#: what the stand-in finds on each film, by file name
SCRIPT = {
    "a.pgm": [FakeDetection((40, 30, 100, 80), "malignant", 0.91),
              FakeDetection((180, 120, 230, 170), "benign", 0.55),
              FakeDetection((250, 20, 280, 50), "benign", 0.12)],
    "b.pgm": [FakeDetection((60, 60, 120, 110), "benign", 0.77)],
    "c.pgm": [],
}


class ScriptedDetector:
    """Detector stand-in: findings from :data:`SCRIPT`; ``gate`` (if given) holds each call
    until set, so a test can switch films while a detection is running."""

    name = "scripted"
    device = "CPU"
    default_threshold = 0.3

    def __init__(self, version: str = "1", gate: threading.Event | None = None) -> None:
        self.version = version
        self.gate = gate
        self.calls: list[str] = []
        self.started = threading.Event()

    def detect(self, image, threshold: float = 0.0, cancel: threading.Event | None = None):
        name = Path(image.path).name
        self.calls.append(name)
        self.started.set()
        if self.gate is not None:
            while not self.gate.wait(0.01):
                if cancel is not None and cancel.is_set():
                    from mammoviewer.detect import DetectionCancelled

                    raise DetectionCancelled(f"{image.path}: detection cancelled")
        return [d for d in SCRIPT.get(name, []) if d.score >= threshold]


def write_films(folder: Path) -> Path:
    """a.pgm, b.pgm, c.pgm: 200 x 300 16-bit films (row/column gradient, first pixel 1, 2, 3)."""
    folder.mkdir(parents=True, exist_ok=True)
    r, c = np.mgrid[0:FILM_ROWS, 0:FILM_COLS]
    for i, name in enumerate("abc", start=1):
        px = (2000 + 40 * r + 10 * c).astype(np.uint16)
        px[0, 0] = i
        write_pgm16(folder / f"{name}.pgm", px)
    return folder


@contextmanager
def review_on_film_a(qtbot, window, tmp_path: Path) -> Iterator:
    """The window reviewing a.pgm of :func:`write_films` (in ``tmp_path/films``) with :class:`ScriptedDetector`,
    its findings shown and no background detection; closed after."""
    from mammoviewer.gui.app import attach_review

    films = write_films(tmp_path / "films")
    review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=ScriptedDetector)
    review.set_background_detection(False)
    try:
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            window.open_path(films / "a.pgm")
        yield review
    finally:
        review.close()


def device_pos(view, column: float, row: float) -> QPoint:
    """Viewport position of image point (column, row) (continuous pixel coordinates)."""
    view.view_box.prepareForPaint()
    return view.graphics.mapFromScene(view.image_item.mapToScene(QPointF(column, row)))

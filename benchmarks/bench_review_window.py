"""Event-loop stalls of the review window: idle, while the model loads, while detection runs;
and the time to draw 100 finding boxes.

Target: while detection runs, the Qt event loop never goes more than 50 ms without running
(a 10 ms QTimer records the longest gap between two ticks). The idle figure shows what the
machine itself adds (other programs holding the CPU).
Usage: ``python benchmarks/bench_review_window.py [MODEL] [FILM]`` (offscreen; default the
bundled model and MIAS mdb023).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
FILM = ROOT / ".." / "shared" / "data" / "mias" / "pgm" / "mdb023.pgm"


class Meter:
    """Longest gap between ticks of a 10 ms QTimer."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self._last = time.perf_counter()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self._last)
        self._last = now

    def __enter__(self) -> Meter:
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


def main() -> int:
    model = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "idbll-light" / "model.keras"
    film = Path(sys.argv[2]) if len(sys.argv) > 2 else FILM
    from mammoviewer.gui.app import _run_loop_for, attach_review, create_app
    from mammoviewer.gui.review.detection import detector_factory

    app = create_app()
    from mammoviewer.gui.viewer.main_window import MainWindow

    with tempfile.TemporaryDirectory(dir=ROOT / ".work") as tmp:
        window = MainWindow()
        window.resize(1400, 900)
        with Meter() as idle:
            window.show()
            _run_loop_for(2000)
        print(f"idle window:         worst gap {idle.worst * 1000:6.1f} ms (2 s)")
        review = attach_review(window, store=Path(tmp) / "bench.sqlite",
                               detector_factory=detector_factory(str(model), "cpu"))
        review.set_background_detection(False)
        with Meter() as load:
            while review.detection.detector is None and review.detection.error is None:
                _run_loop_for(20)
        print(f"model load:          worst gap {load.worst * 1000:6.1f} ms ({review.detection.error or 'loaded'})")
        with Meter() as first:
            window.open_path(film)
            while not review.findings_ready():
                _run_loop_for(10)
        print(f"open + detect:       worst gap {first.worst * 1000:6.1f} ms")
        for i in range(5):
            with Meter() as again:
                start = time.perf_counter()
                review.detect_again()
                while review.detection.busy:
                    _run_loop_for(10)
            print(f"detect again #{i + 1}:     worst gap {again.worst * 1000:6.1f} ms "
                  f"({time.perf_counter() - start:.3f} s)")
        review.panel.set_threshold(1.0)
        start = time.perf_counter()
        review.panel.set_threshold(0.0)
        app.processEvents()
        print(f"show {len(review.overlay.shown_ids())} boxes: {1000 * (time.perf_counter() - start):.0f} ms")
        window.close()
        window.jobs.wait(10000)
        review.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

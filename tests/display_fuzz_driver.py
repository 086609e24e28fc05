"""Display fuzz driver, run as a child process: seeded films with hostile window, VOI and rescale values
through the display pipeline, the hanging panes (real offscreen widgets, Enhanced on or off, the
magnifier) and the studies reader; one JSON line per case on stdout.

``{"start": i, ...}`` is written (and flushed) before each case, so when a native crash kills the
process the parent names the case. Usage: ``python display_fuzz_driver.py OUT_DIR MODE SEED COUNT``,
MODE one of ``display``, ``panes``, ``reader`` or ``hostile`` (the audit's windows, in 2-up panes).
A case's outcome is ``loaded``/``shown``, ``refused`` (one of the project's errors, one line), or a
failure: ``escaped`` (another exception), ``broken`` (a non-finite level, LUT or picture) or ``warned``.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

#: values a header may hold for a window's centre and width (strings, as written)
CENTRES = ["2047", "0", "-1", "1e308", "-1e308", "1e-308", "nan", "inf", "-inf", "1e30", "3.4e38", "65535",
           "2147483648", "-32768", "0.5", "abc", "2047\\1e308", "1e308\\2047\\5"]
WIDTHS = ["4095", "1", "0", "-5", "1e-308", "1e308", "nan", "inf", "1e-6", "0.5", "1e30", "abc", "4095\\1e-308"]
FUNCTIONS = ["LINEAR", "LINEAR_EXACT", "SIGMOID", "BOGUS", ""]
SLOPES = ["1", "0.001", "1000", "-1", "1e300", "1e-300", "0", "nan", "16.003663", "1e30"]
INTERCEPTS = ["0", "-1024", "1e30", "-1e30", "1e300", "0.5", "nan"]
SHAPES = [(64, 64), (64, 64), (48, 40), (4, 4), (1, 2), (2, 1), (1, 1), (3, 7), (1, 5)]
LUT_DESCRIPTORS = [[256, 0, 16], [0, 0, 16], [4096, 65535, 12], [1, 0, 8], [16, 32768, 16], [256, 0, 8]]


def seeded_film(path: Path, rng: random.Random, laterality: str = "R", study_uid: str = "1.2.3") -> Path:
    """A small MG film with seeded pixels and hostile window, VOI LUT and rescale values."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    from hostile_films import write_windowed

    rows, cols = rng.choice(SHAPES)
    top = rng.choice([1, 255, 4095, 65535])
    pixels = np.array([[rng.randrange(top + 1) for _ in range(cols)] for _ in range(rows)], dtype=np.uint16)
    if rng.random() < 0.3:
        pixels[:] = rng.randrange(top + 1)  # one value only
    def edit(ds: Any) -> None:
        if rng.random() < 0.4:
            ds.RescaleSlope, ds.RescaleIntercept = rng.choice(SLOPES), rng.choice(INTERCEPTS)
        if rng.random() < 0.3:
            item = Dataset()
            item.add_new(0x00283002, "US", rng.choice(LUT_DESCRIPTORS))
            item.add_new(0x00283006, "US", [rng.randrange(65536) for _ in range(rng.choice((1, 16, 256)))])
            ds.VOILUTSequence = Sequence([item])
        if rng.random() < 0.2:
            ds.PhotometricInterpretation = "MONOCHROME1"
        if rng.random() < 0.15:
            ds.BitsStored = rng.choice([1, 8, 12, 16])

    write_windowed(path, rng.choice(CENTRES), rng.choice(WIDTHS), rng.choice(FUNCTIONS), pixels=pixels,
                   laterality=laterality, study_uid=study_uid, edit=edit)
    return path


def raw_window(rng: random.Random) -> Any:
    """A window set directly (a drag, a presentation state), not read from a header: anything goes."""
    from mammoviewer.io import Window

    numbers = [2047.0, 0.0, -1.0, 1e308, -1e308, 1e-308, math.nan, math.inf, -math.inf, 1e30, 3.4e38, 1e-6, 4095.0]
    return Window(rng.choice(numbers), rng.choice(numbers), "raw", rng.choice(["LINEAR", "LINEAR_EXACT", "SIGMOID"]))


def _finite_levels(levels: Any) -> bool:
    lo, hi = (float(v) for v in levels)
    return math.isfinite(lo) and math.isfinite(hi) and hi > lo and bool(np.isfinite(np.float32([lo, hi])).all()) \
        and float(np.float32(hi)) > float(np.float32(lo))


def check_display(image: Any, extra: Any) -> str | None:
    """None when every window of ``image`` (and ``extra``) gives finite levels, LUTs and pictures."""
    from mammoviewer.io.display import auto_window, display_lut, full_window, lut_indices, render
    from mammoviewer.io.enhance import clahe

    for window in image.windows:  # as read: checked against the pixels (io.window_values)
        if not (math.isfinite(window.center) and math.isfinite(window.width) and window.width > 0):
            return f"unusable window read from the header: {window}"
    for window in (None, *image.windows, auto_window(image), full_window(image), extra):
        for invert in (False, True):
            levels, lut = display_lut(image, window, invert=invert)
            if not _finite_levels(levels) or lut.dtype != np.uint8 or lut.shape != (256,):
                return f"window {window}: levels {levels}"
            idx = lut_indices(image.pixels, levels)
            if idx.min() < 0 or idx.max() > 255:
                return f"window {window}: LUT index out of range"
            picture = render(image, window, invert)
            if not np.isfinite(picture).all() or picture.min() < 0 or picture.max() > 1:
                return f"window {window}: picture outside [0, 1]"
            if clahe(picture).dtype != np.uint8:
                return "CLAHE"
    return None


def case_display(out: Path, rng: random.Random, i: int) -> dict:
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.io import load_image

    path = seeded_film(out / f"d{i:04d}.dcm", rng)
    try:
        image = load_image(path)
    except MammoViewerError as exc:
        return {"outcome": "refused", "path": str(path), "message": str(exc)}
    problem = check_display(image, raw_window(rng))
    return {"outcome": "broken", "problem": problem, "path": str(path)} if problem else \
        {"outcome": "loaded", "path": str(path)}


class Panes:
    """One offscreen HangingView (and its magnifiers) reused by every pane case."""

    def __init__(self) -> None:
        from mammoviewer.gui.app import create_app
        from mammoviewer.gui.viewer.hanging_view import HangingView
        from mammoviewer.gui.viewer.measure_tools import Magnifier

        self.app = create_app()
        self.view = HangingView()
        self.view.resize(700, 500)
        self.view.show()
        self.glasses = [Magnifier(p) for p in self.view.panes]
        for glass in self.glasses:
            glass.set_enabled(True)

    def show(self, paths: list[Path], layout: str, enhanced: bool, window: Any, rng: random.Random) -> dict:
        """Hang ``paths`` (one study) in ``layout``, paint, and put the magnifier on each pane's film."""
        from mammoviewer.errors import MammoViewerError
        from mammoviewer.io import load_image
        from mammoviewer.studies import find_studies, hang
        from mammoviewer.studies.hanging import chest_wall_side

        images, refused = {}, []
        for path in paths:
            try:
                images[str(path)] = load_image(path)
            except MammoViewerError as exc:
                refused.append(str(exc))
        studies = find_studies(paths, on_error=lambda exc: None)
        if not studies:
            return {"outcome": "refused", "message": refused[0] if refused else "no study"}
        sides = {p: chest_wall_side(im.pixels, im.photometric == "MONOCHROME1") for p, im in images.items()}
        hanging = hang(studies[0], layout, pixel_sides=sides)
        self.view.set_enhanced(enhanced)
        self.view.set_hanging(hanging, images, {p: window for p in images} if window is not None else None)
        grabbed = self.view.grab().toImage()  # paints every pane (the crash was in pyqtgraph's paint)
        shown = 0
        for pane, glass in zip(self.view.shown_panes(), self.glasses):
            if pane.image is None:
                continue
            shown += 1
            if not _finite_levels(pane.image_item.getLevels()):
                return {"outcome": "broken", "problem": f"pane levels {pane.image_item.getLevels()}"}
            rows, cols = pane.image.rows, pane.image.columns
            for column, row in ((0, 0), (cols - 1, rows - 1), (rng.randrange(cols), rng.randrange(rows))):
                glass.show_at(column, row)
                if glass.glass.pixmap().isNull():
                    return {"outcome": "broken", "problem": f"no magnifier picture at {column}, {row}"}
        self.app.processEvents()
        if self.view.pane_errors:
            return {"outcome": "escaped", "message": next(iter(self.view.pane_errors.values()))}
        return {"outcome": "shown", "panes": shown, "refused": refused, "size": [grabbed.width(), grabbed.height()]}


def case_panes(out: Path, rng: random.Random, i: int, panes: Panes) -> dict:
    layout = rng.choice(["2up", "2up", "4up", "1up"])
    films = [("R", "CC"), ("L", "CC")] if layout != "4up" else [("R", "CC"), ("L", "CC"), ("R", "MLO"), ("L", "MLO")]
    paths = []
    for side, view in films:
        path = seeded_film(out / f"p{i:04d}{side}{view}.dcm", rng, laterality=side, study_uid=f"1.2.{i}")
        if view == "MLO":
            _set_view(path, "MLO")
        paths.append(path)
    window = raw_window(rng) if rng.random() < 0.4 else None
    return panes.show(paths, layout, rng.random() < 0.7, window, rng)


def _set_view(path: Path, view: str) -> None:
    import pydicom

    ds = pydicom.dcmread(path)
    ds.ViewPosition = view
    ds.save_as(path)


def case_hostile(out: Path, i: int, panes: Panes) -> dict:
    """The audit's windows, as read from the header and as set directly, in 2-up with Enhanced on."""
    from hostile_films import HOSTILE, write_windowed
    from mammoviewer.io import Window

    centre, width, function = HOSTILE[i % len(HOSTILE)]
    paths = [write_windowed(out / f"h{i:03d}{side}.dcm", centre, width, function, laterality=side,
                            study_uid=f"1.3.{i}") for side in ("R", "L")]
    raw = Window(_float(centre), _float(width), "header", function) if i >= len(HOSTILE) else None
    result = panes.show(paths, "2up", True, raw, random.Random(i))
    return {**result, "window": [centre, width, function], "raw": raw is not None}


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


class Reader:
    """One offscreen main window with the studies reader, reused by every reader case."""

    def __init__(self) -> None:
        from mammoviewer.gui.app import create_app
        from mammoviewer.gui.viewer.main_window import MainWindow
        from mammoviewer.gui.viewer.study_reader import StudyReader

        self.app = create_app()
        self.window = MainWindow()
        self.window.resize(900, 600)
        self.reader = self.window.study_reader = StudyReader(self.window, None)
        self.window.show()

    def case(self, out: Path, rng: random.Random, i: int) -> dict:
        """A folder of seeded films (tiny, broken, hostile windows, the shared GE samples) opened in a layout."""
        import shutil

        from mammoviewer.gui.viewer.study_loading import wait_for_study
        from shared_paths import DICOM

        folder = out / f"r{i:04d}"
        folder.mkdir()
        for side in ("R", "L")[: rng.choice((1, 2, 2))]:
            path = seeded_film(folder / f"{side}.dcm", rng, laterality=side, study_uid=f"1.4.{i}")
            if rng.random() < 0.15:
                path.write_bytes(path.read_bytes()[: rng.randrange(200, 900)])  # truncated
        samples = sorted(DICOM.glob("mg_ge_*.dcm")) if DICOM.is_dir() else []
        if samples and rng.random() < 0.3:
            shutil.copy(rng.choice(samples), folder / "ge.dcm")
        layout = rng.choice(["2up", "4up", "1up", "auto"])
        self.reader.view.set_enhanced(rng.random() < 0.7)
        started = time.monotonic()
        self.reader.open([folder], layout)
        error, _ = wait_for_study(self.reader, timeout_s=30.0)
        seconds = time.monotonic() - started
        self.window.grab()  # paints every pane
        if error and ("did not load within" in error or "\n" in error or seconds > 25):
            return {"outcome": "escaped", "message": f"waited {seconds:.1f} s: {error}"}
        if error and "internal error" in error:
            return {"outcome": "escaped", "message": error}
        hung = self.reader.view.hanging
        if self.reader.studies and (hung is None or any(Path(f.path).parent != folder for f in hung.films)):
            return {"outcome": "escaped", "message": f"this study was not hung (error: {error})"}
        for pane in self.reader.view.shown_panes():
            if pane.image is not None and not _finite_levels(pane.image_item.getLevels()):
                return {"outcome": "broken", "problem": f"pane levels {pane.image_item.getLevels()}"}
        shown = sum(p.image is not None for p in self.reader.view.shown_panes())
        return {"outcome": "shown" if shown else "refused", "panes": shown, "message": error or "",
                "seconds": round(seconds, 2)}

    def close(self) -> None:
        from mammoviewer.io.decoder_process import close_shared_decoder

        self.window.close()
        self.window.jobs.wait(10000)
        close_shared_decoder()


def main(argv: list[str]) -> int:
    out, mode, seed, count = Path(argv[0]), argv[1], int(argv[2]), int(argv[3])
    rng = random.Random(f"{seed}:{mode}")
    panes = Panes() if mode in ("panes", "hostile") else None
    reader = None
    if mode == "reader":
        reader = Reader()
    for i in range(count):
        print(json.dumps({"start": i, "mode": mode}), flush=True)
        started = time.monotonic()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if mode == "display":
                    result = case_display(out, rng, i)
                elif mode == "panes":
                    result = case_panes(out, rng, i, panes)
                elif mode == "hostile":
                    result = case_hostile(out, i, panes)
                else:
                    result = reader.case(out, rng, i)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
                result = {"outcome": "escaped", "type": type(exc).__name__, "message": str(exc)[:300]}
        shown = [f"{w.category.__name__}: {w.message}" for w in caught if "pydicom" not in str(w.filename)]
        if shown and result["outcome"] in ("loaded", "shown", "refused"):
            result = {**result, "outcome": "warned", "warnings": shown[:3]}
        print(json.dumps({"done": i, "seconds": round(time.monotonic() - started, 3), **result}), flush=True)
    if reader is not None:
        reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

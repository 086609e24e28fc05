"""The worker side of retraining from the viewer: where its output goes, cancelling it, running it.

:func:`run_retraining` is what the retraining dialog submits to the job runner; it knows
nothing of widgets. A run that fails or is cancelled leaves its output folder as it was.
"""

from __future__ import annotations

import shutil
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QStandardPaths

from mammoviewer.errors import DetectorError


def _data_folder(kind: QStandardPaths.StandardLocation) -> Path:
    base = QStandardPaths.writableLocation(kind)
    return Path(base or Path.home() / ".local" / "share") / "mammoviewer"


def default_output_dir(now: datetime | None = None) -> Path:
    """``<user data folder>/mammoviewer/models/idbll-retrained-<YYYYmmdd-HHMMSS>``, beside the
    default review store (e.g. ``~/.local/share/mammoviewer/models/``)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    models = _data_folder(QStandardPaths.StandardLocation.GenericDataLocation) / "models"
    return models / f"idbll-retrained-{stamp}"


def default_cache_dir() -> Path:
    """Where the preprocessed MIAS training films are cached between retrainings."""
    return _data_folder(QStandardPaths.StandardLocation.GenericCacheLocation) / "idbll-cache"


def default_mias_dir() -> str | None:
    """The MIAS folder the CLI uses by default, if present (it gives the held-out check)."""
    from mammoviewer.io.mias import DEFAULT_MIAS_DIR

    return str(DEFAULT_MIAS_DIR) if DEFAULT_MIAS_DIR.is_dir() else None


def output_problem(out: Path, current_model: str | Path | None) -> str | None:
    """Why ``out`` may not receive the new model (None if it may)."""
    from mammoviewer.detect.detector import default_model_path

    out = out.expanduser().absolute()
    bundled_models = default_model_path().parent.parent.resolve()
    resolved = out.resolve()
    if resolved == bundled_models or bundled_models in resolved.parents:
        return f"{out}: inside the bundled models folder {bundled_models}; choose another folder"
    if current_model:
        cur = Path(current_model).expanduser().resolve()
        cur_dir = cur if cur.is_dir() else cur.parent
        if resolved == cur_dir:
            return f"{out}: this is the folder of the model in use; choose another folder"
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return f"{out}: exists and is not an empty folder; choose a new folder"
    return None


class CancelFlag(threading.Event):
    """The Cancel button's event; it also reads as set once the job itself is cancelled
    (the window closing), so the callable stops in either case."""

    def __init__(self) -> None:
        super().__init__()
        self.linked: threading.Event | None = None

    def is_set(self) -> bool:
        return super().is_set() or (self.linked is not None and self.linked.is_set())

    def wait(self, timeout: float | None = None) -> bool:
        remaining = timeout
        while not self.is_set():
            step = 0.05 if remaining is None else min(0.05, remaining)
            if step <= 0:
                break
            super().wait(step)
            if remaining is not None:
                remaining -= step
        return self.is_set()


def run_retraining(finetune_fn: Callable[..., Any], cfg: Any, flag: CancelFlag, progress: Callable,
                   cancel: threading.Event) -> Any:
    """Worker side: call ``finetune_fn(cfg, progress=, cancel=flag)``; progress goes out as
    ``(message, fraction)``. On failure or cancel the output folder is left as it was (removed
    if this run created it), so a cancelled run writes nothing."""
    flag.linked = cancel
    out = Path(cfg.out)
    existed = out.exists()
    try:
        from mammoviewer import keras_runtime

        with keras_runtime.collector_paused():  # no UI-thread collection may finalise TensorFlow objects meanwhile
            report = finetune_fn(cfg, progress=lambda msg, frac: progress((str(msg), float(frac))), cancel=flag)
        if flag.is_set():  # cancelled after the last step (while scoring): drop what was written
            raise DetectorError(f"{out}: retraining cancelled; nothing was written")
        return report
    except BaseException:
        if not existed:
            shutil.rmtree(out, ignore_errors=True)
        elif out.is_dir():  # it was empty (see output_problem): empty it again
            for child in out.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        raise

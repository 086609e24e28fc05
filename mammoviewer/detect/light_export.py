"""Saving a model as its ``.keras`` file and its ONNX twin from one save, and writing the twin of a saved one.

Every saving path (``train``, ``retrain``/fine-tuning, the case classifier, the research ensemble)
calls :func:`save_model`, so both files come from the same weights: the twin records the SHA-256 of
the ``.keras`` file, and its outputs are checked against Keras's on a random input before it is
kept. The export needs TensorFlow and ``tf2onnx`` (the ``train`` extra); without them the
``.keras`` file is still written and the note says how to add the twin later::

    python -m mammoviewer.detect.light_export models/idbll-light models/case-classifier
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from mammoviewer.detect import light_runtime
from mammoviewer.errors import DetectorError

#: largest difference allowed between the twin's outputs and Keras's on the check input
TOLERANCE = 1e-4
#: side of the check input where the model takes any size (a multiple of every model's input multiple)
CHECK_SIDE = 128


def save_model(model: Any, path: str | Path) -> Path:
    """Write ``model`` to the ``.keras`` file ``path`` and its twin beside it; returns ``path``.

    A twin left from an earlier save is removed first, so it can never describe other weights. When
    the twin cannot be written (no ``tf2onnx``, a backend that cannot export) a one-line note says so
    and the model still loads, through TensorFlow.
    """
    path = Path(path)
    light_runtime.twin_path(path).unlink(missing_ok=True)
    model.save(path)
    try:
        write_twin(model, path)
    except DetectorError as exc:
        light_runtime.note(f"{exc}; {path.name} loads through TensorFlow until its twin is written")
    return path


def check_input(model: Any) -> np.ndarray:
    """A seeded random input of the model's shape (unknown sides: :data:`CHECK_SIDE`), batch of 2."""
    shape = [2] + [d if d is not None else CHECK_SIDE for d in tuple(model.input_shape)[1:]]
    return np.random.default_rng(0).random(shape, dtype=np.float32)


def write_twin(model: Any, path: str | Path) -> Path:
    """Write the twin of the saved ``.keras`` file ``path`` from ``model`` (the model saved there) and check
    it gives Keras's outputs within :data:`TOLERANCE`; DetectorError when it cannot be written or differs."""
    from mammoviewer import keras_runtime

    path = Path(path)
    twin = light_runtime.twin_path(path)
    x = check_input(model)
    expected = np.asarray(model(x, training=False))  # also builds the model, which the export needs
    keras_runtime.export_onnx(model, twin, {light_runtime.SOURCE_KEY: light_runtime.file_digest(path)})
    if light_runtime.available():
        got = light_runtime.load(twin, "cpu")(x)
        diff = float(np.max(np.abs(got - expected))) if got.shape == expected.shape else float("inf")
        if not diff <= TOLERANCE:
            twin.unlink(missing_ok=True)
            raise DetectorError(f"{twin}: the ONNX model differs from {path.name} by {diff:g} "
                                f"(shapes {got.shape} and {expected.shape}); not kept")
    return twin


def convert(path: str | Path) -> Path:
    """Write the twin of an existing model (a ``.keras`` file or its folder); returns the twin's path."""
    from mammoviewer.keras_runtime import keras

    p = Path(path)
    model_path = p / "model.keras" if p.is_dir() else p
    if not model_path.is_file() or model_path.suffix != ".keras":
        raise DetectorError(f"{model_path}: no .keras model file here")
    from mammoviewer.detect.archive import check_archive

    check_archive(model_path)
    try:
        model = keras.models.load_model(model_path, compile=False, safe_mode=True)
    except Exception as exc:  # keras raises many types for a broken file
        raise DetectorError(f"{model_path}: cannot load the model ({type(exc).__name__}: {exc})") from exc
    return write_twin(model, model_path)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mammoviewer.detect.light_export MODEL [MODEL ...]``: write each model's ONNX twin."""
    parser = argparse.ArgumentParser(prog="python -m mammoviewer.detect.light_export",
                                     description="Write the ONNX twin (model.onnx) of saved models.")
    parser.add_argument("models", nargs="+", metavar="MODEL", help="a model folder or its .keras file")
    args = parser.parse_args(argv)
    status = 0
    for model in args.models:
        try:
            print(f"wrote {convert(model)}")
        except DetectorError as exc:
            print(f"mammoviewer: error: {exc}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    raise SystemExit(main())

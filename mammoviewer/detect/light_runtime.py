"""The light inference runtime: ONNX Runtime runs a model's ``.onnx`` twin, without TensorFlow.

Every saved model (``model.keras``) gets its twin ``model.onnx`` from the same save
(:mod:`mammoviewer.detect.light_export`); the twin records the SHA-256 of the ``.keras`` file it was
written from. :func:`choose` gives the twin to run, or the one-line reason to load the ``.keras``
file through TensorFlow instead (no twin, a twin of another ``.keras`` file, no ONNX Runtime).
:class:`LightModel` is called like a Keras model (``model(x, training=False)`` -> array), so the
detector and the case classifier run either.

ONNX Runtime was chosen over LiteRT (models/README.md, "Inference without TensorFlow"): inputs of
any size without re-planning, one session shared by threads, and a GPU provider on desktops.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

from mammoviewer.errors import DetectorError
from mammoviewer.messages import clean_message

SUFFIX = ".onnx"
#: the ``metadata_props`` key holding the SHA-256 of the ``.keras`` file the twin was written from
SOURCE_KEY = "mammoviewer.source_sha256"
RUNTIME = "ONNX Runtime"
#: environment variable: ``tensorflow`` loads every model's ``.keras`` file through TensorFlow (to compare)
RUNTIME_ENV = "MAMMOVIEWER_RUNTIME"
GPU_PROVIDER, CPU_PROVIDER = "CUDAExecutionProvider", "CPUExecutionProvider"
NO_GPU = f"CPU (no GPU provider in {RUNTIME}: install onnxruntime-gpu)"


def twin_path(model_path: str | Path) -> Path:
    """The light twin of a ``.keras`` file: ``model.keras`` -> ``model.onnx`` beside it."""
    return Path(model_path).with_suffix(SUFFIX)


def available() -> bool:
    """True when ONNX Runtime is installed."""
    return importlib.util.find_spec("onnxruntime") is not None


def file_digest(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def convert_command(model_path: str | Path) -> str:
    """The command that writes the twin of ``model_path`` (its folder when the file is ``model.keras``)."""
    p = Path(model_path)
    return f"python -m mammoviewer.detect.light_export {p.parent if p.name == 'model.keras' else p}"


def choose(model_path: str | Path) -> tuple[Path | None, str]:
    """(the twin to run, "") or (None, why the ``.keras`` file loads through TensorFlow instead)."""
    model_path = Path(model_path)
    twin = twin_path(model_path)
    if not twin.is_file():
        return None, (f"{twin.name} not found beside {model_path}: loading through TensorFlow (slower start); "
                      f"write it with: {convert_command(model_path)}")
    if not available():
        return None, f"ONNX Runtime is not installed: loading {model_path} through TensorFlow (pip install onnxruntime)"
    return twin, ""


def note(message: str) -> None:
    """Print a one-line note on stderr."""
    from mammoviewer.progress import say

    say(f"mammoviewer: note: {message}")


def _options(threads: int | None) -> Any:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3  # errors only: the CLI promises one stderr line per problem
    so.inter_op_num_threads = 1
    if threads:
        so.intra_op_num_threads = int(threads)
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads leave the cores
    return so


class LightModel:
    """One ONNX Runtime session, called like a Keras model; thread-safe."""

    def __init__(self, session: Any, device_name: str, path: Path) -> None:
        self._session = session
        self.path = path
        #: the device as the JSON reports it ("CPU", "GPU: CUDA (ONNX Runtime)", or the CPU fallback)
        self.device_name = device_name
        inp, out = session.get_inputs()[0], session.get_outputs()[0]
        self._input = inp.name
        self.input_shape = tuple(d if isinstance(d, int) else None for d in inp.shape)
        self.output_shape = tuple(d if isinstance(d, int) else None for d in out.shape)
        self.source = session.get_modelmeta().custom_metadata_map.get(SOURCE_KEY)

    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The model's first output on ``x`` (float32, batch first)."""
        return self._session.run(None, {self._input: np.ascontiguousarray(x, dtype=np.float32)})[0]


def load(path: str | Path, device: str = "auto", threads: int | None = None) -> LightModel:
    """Open the ONNX file ``path`` on ``device`` (auto, cpu or gpu; gpu without a GPU provider falls back
    to the CPU, named in ``device_name``) with ``threads`` intra-op threads (None: the runtime's choice)."""
    path = Path(path)
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise DetectorError(f"{path}: ONNX Runtime is not installed (pip install onnxruntime)") from exc
    has_gpu = GPU_PROVIDER in ort.get_available_providers()
    providers = [GPU_PROVIDER, CPU_PROVIDER] if has_gpu and device != "cpu" else [CPU_PROVIDER]
    try:
        session = ort.InferenceSession(str(path), _options(threads), providers=providers)
    except Exception as exc:  # onnxruntime raises its own types for a broken file
        raise DetectorError(f"{path}: cannot load the ONNX model ({type(exc).__name__}: "
                            f"{clean_message(exc)})") from exc
    on_gpu = session.get_providers()[0] == GPU_PROVIDER
    name = f"GPU: CUDA ({RUNTIME})" if on_gpu else (NO_GPU if device == "gpu" else "CPU")
    return LightModel(session, name, path)


def check_fresh(model: LightModel, source: str | Path) -> str:
    """"" when ``model`` was written from the ``.keras`` file ``source``, else the one-line reason not to
    run it."""
    if model.source is None:
        return f"{model.path} records no source model: loading {source} through TensorFlow"
    if model.source != file_digest(source):
        return (f"{model.path} was written from another {Path(source).name} (the .keras file changed since): "
                f"loading {source} through TensorFlow; write it again with: "
                f"{convert_command(source)}")
    return ""


def open_twin(model_path: str | Path, device: str = "auto", threads: int | None = None) -> LightModel | None:
    """The twin of the ``.keras`` file ``model_path``, loaded; or None, after a one-line note on stderr, when
    that file must load through TensorFlow (no twin, a stale or broken one, no ONNX Runtime). With
    ``MAMMOVIEWER_RUNTIME=tensorflow`` in the environment it is always None, without a note."""
    if os.environ.get(RUNTIME_ENV, "").strip().lower() == "tensorflow":
        return None
    twin, why = choose(model_path)
    if twin is not None:
        try:
            model = load(twin, device, threads)
            why = check_fresh(model, model_path)
        except DetectorError as exc:
            why = f"{exc}: loading {model_path} through TensorFlow"
        if not why:
            return model
    note(why)
    return None

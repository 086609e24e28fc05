"""The one module that starts Keras and TensorFlow: environment, quiet start-up, threads, devices.

Every other module gets the libraries from here (``from mammoviewer.keras_runtime import keras``,
:func:`tensorflow`), so start-up settings are made once, before TensorFlow loads:

- ``TF_CPP_MIN_LOG_LEVEL=3``: TensorFlow's C++ notices would land on the CLI's stderr, which promises
  one line per problem; file descriptor 2 also points at /dev/null while the libraries load;
- ``TF_ENABLE_ONEDNN_OPTS=0``: oneDNN kernels deadlocked now and then when a model ran on a worker
  thread of a busy machine;
- the Keras backend is Keras's own choice (``KERAS_BACKEND``; TensorFlow by default, JAX works).

Nothing here runs at import: the first use of :data:`keras` or :func:`tensorflow` loads them.
Inference does not need them when a model has its ONNX file (``mammoviewer.detect.light_runtime``);
:func:`export_onnx` writes that file when a model is saved.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from mammoviewer.errors import DetectorError

DEVICES = ("auto", "cpu", "gpu")


def configure_environment() -> None:
    """Set the start-up environment (no-op for variables the user has set)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


@contextlib.contextmanager
def _quiet_fd(fd: int) -> Iterator[None]:
    stream = sys.stderr if fd == 2 else sys.stdout
    try:
        stream.flush()
        saved = os.dup(fd)
    except (OSError, ValueError):  # no real stream (embedded interpreter): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def _quiet_fd2() -> contextlib.AbstractContextManager[None]:
    return _quiet_fd(2)


def load_keras() -> ModuleType:
    """The ``keras`` module (and its TensorFlow backend), imported quietly the first time."""
    if "keras" not in sys.modules:
        configure_environment()
        try:
            with _quiet_fd2():
                import keras  # noqa: F401

                if keras.backend.backend() == "tensorflow":
                    import tensorflow  # noqa: F401
        except ImportError as exc:
            raise DetectorError(f"Keras/TensorFlow are not installed ({exc}); they are needed to train and to "
                                f"load a model without its .onnx file: pip install 'mammoviewer[train]'") from exc
        if _threads is not None:
            _apply_threads(*_threads)
    return sys.modules["keras"]


def backend() -> str:
    """Name of the Keras backend in use ("tensorflow", "jax", ...)."""
    return str(load_keras().backend.backend())


def tensorflow() -> ModuleType | None:
    """The ``tensorflow`` module when it is the Keras backend, else None."""
    return sys.modules.get("tensorflow") if backend() == "tensorflow" else None


#: the compute threads asked for (intra-op, inter-op), or None for each runtime's default
_threads: tuple[int, int] | None = None


def requested_threads() -> int | None:
    """The intra-op threads asked for with :func:`set_threads` (None: the runtime's default)."""
    return None if _threads is None else _threads[0]


def _apply_threads(intra: int, inter: int) -> bool:
    try:
        tf = tensorflow()
        if tf is None:
            return False
        tf.config.threading.set_intra_op_parallelism_threads(intra)
        tf.config.threading.set_inter_op_parallelism_threads(inter)
        return True
    except (ImportError, RuntimeError, ValueError):
        return False


def set_threads(intra: int, inter: int = 1) -> bool:
    """Limit the compute threads of the models (ONNX Runtime's and TensorFlow's pools) before their first
    computation. Loads nothing: TensorFlow gets them when it loads. False if TensorFlow already computed."""
    global _threads
    _threads = (max(int(intra), 1), max(int(inter), 1))
    if "keras" not in sys.modules:
        return True
    return _apply_threads(*_threads)


def leave_a_core_free() -> None:
    """Compute on all cores but one, so a window's painting never waits for a core (no-op on one core)."""
    cores = os.cpu_count() or 1
    if cores >= 2:
        set_threads(cores - 1, 1)


def pick_device(device: str) -> tuple[str, str]:
    """(backend device string, human name such as 'CPU' or 'GPU: NVIDIA H100') for auto/cpu/gpu."""
    if device not in DEVICES:
        raise DetectorError(f"unknown device {device!r}; choose auto, cpu or gpu")
    if backend() == "jax":
        import jax

        gpus = [d for d in jax.devices() if d.platform == "gpu"] if device != "cpu" else []
        if device == "gpu" and not gpus:
            raise DetectorError("no GPU is visible to JAX; use --device cpu or auto")
        return ("gpu", f"GPU: {gpus[0].device_kind}") if gpus else ("cpu", "CPU")
    tf = tensorflow()
    assert tf is not None
    gpus = tf.config.list_physical_devices("GPU") if device != "cpu" else []
    if device == "gpu" and not gpus:
        raise DetectorError("no GPU is visible to TensorFlow; use --device cpu or auto")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return "/GPU:0", f"GPU: {details.get('device_name', gpus[0].name)}"
    return "/CPU:0", "CPU"


def export_onnx(model: Any, path: str | os.PathLike[str], metadata: dict[str, str] | None = None) -> None:
    """Write ``model`` (a Keras model) as an ONNX file at ``path`` (replaced whole, never half-written),
    with ``metadata`` in its ``metadata_props``. Needs ``tf2onnx`` and ``onnx`` (the ``train`` extra);
    DetectorError naming the file when it cannot be written."""
    target = os.fspath(path)
    tmp = f"{target}.part"
    try:
        import onnx

        load_keras()
        with _quiet_fd2(), _quiet_fd(1), contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # tf2onnx's own numpy deprecations
            model.export(tmp, format="onnx", verbose=False)
        proto = onnx.load(tmp)
        for key, value in (metadata or {}).items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, value
        onnx.save(proto, tmp)
        os.replace(tmp, target)
    except Exception as exc:  # keras/tf2onnx raise many types
        hint = "; pip install 'mammoviewer[train]'" if isinstance(exc, ImportError) else ""
        raise DetectorError(f"{target}: cannot write the ONNX model ({type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:300]}){hint}") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


_gc_lock = threading.Lock()
_gc_holders: list[int] = []


@contextlib.contextmanager
def collector_paused(freeze: bool = False) -> Iterator[None]:
    """Keep Python's cyclic garbage collector off while TensorFlow works on this thread.

    A collection started by another thread (a window's UI thread) would otherwise finalise
    TensorFlow graph objects there while this thread builds a graph, which crashes or deadlocks
    TensorFlow. With ``freeze`` every object alive at the end (a loaded model, TensorFlow's
    modules) is moved out of the collector's reach (``gc.freeze``), so later collections neither
    walk that heap nor finalise it.
    """
    with _gc_lock:
        _gc_holders.append(threading.get_ident())
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders.remove(threading.get_ident())
            if freeze:
                gc.freeze()
            if not _gc_holders:
                gc.enable()


def __getattr__(name: str) -> Any:
    if name == "keras":
        return load_keras()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

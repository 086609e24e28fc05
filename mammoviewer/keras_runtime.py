"""The one module that starts Keras and TensorFlow: environment, quiet start-up, threads, devices.

Every other module gets the libraries from here (``from mammoviewer.keras_runtime import keras``,
:func:`tensorflow`), so start-up settings are made once, before TensorFlow loads:

- ``TF_CPP_MIN_LOG_LEVEL=3``: TensorFlow's C++ notices would land on the CLI's stderr, which promises
  one line per problem; file descriptor 2 also points at /dev/null while the libraries load;
- ``TF_ENABLE_ONEDNN_OPTS=0``: oneDNN kernels deadlocked now and then when a model ran on a worker
  thread of a busy machine;
- the Keras backend is Keras's own choice (``KERAS_BACKEND``; TensorFlow by default, JAX works).

Nothing here runs at import: the first use of :data:`keras` or :func:`tensorflow` loads them.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
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
def _quiet_fd2() -> Iterator[None]:
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded interpreter): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def load_keras() -> ModuleType:
    """The ``keras`` module (and its TensorFlow backend), imported quietly the first time."""
    if "keras" not in sys.modules:
        configure_environment()
        with _quiet_fd2():
            import keras  # noqa: F401

            if keras.backend.backend() == "tensorflow":
                import tensorflow  # noqa: F401
    return sys.modules["keras"]


def backend() -> str:
    """Name of the Keras backend in use ("tensorflow", "jax", ...)."""
    return str(load_keras().backend.backend())


def tensorflow() -> ModuleType | None:
    """The ``tensorflow`` module when it is the Keras backend, else None."""
    return sys.modules.get("tensorflow") if backend() == "tensorflow" else None


def set_threads(intra: int, inter: int = 1) -> bool:
    """Limit TensorFlow's thread pools (before its first computation); False if it was too late or not TF."""
    try:
        tf = tensorflow()
        if tf is None:
            return False
        tf.config.threading.set_intra_op_parallelism_threads(max(int(intra), 1))
        tf.config.threading.set_inter_op_parallelism_threads(max(int(inter), 1))
        return True
    except (ImportError, RuntimeError, ValueError):
        return False


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

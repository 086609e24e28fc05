"""Import Keras (and its TensorFlow backend) once, without TensorFlow's C++ start-up chatter on stderr.

TensorFlow writes absl/oneDNN notices straight to file descriptor 2 while it loads, whatever
``TF_CPP_MIN_LOG_LEVEL`` says once Python runs; the CLI promises one stderr line per problem,
so descriptor 2 points at /dev/null for the duration of the import only.
"""

from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def _quiet_fd2():
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


def import_keras():
    """The ``keras`` module, imported quietly the first time."""
    if "keras" not in sys.modules:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        with _quiet_fd2():
            import keras  # noqa: F401
            if keras.backend.backend() == "tensorflow":
                import tensorflow  # noqa: F401
    return sys.modules["keras"]


keras = import_keras()

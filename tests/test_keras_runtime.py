"""The one module that starts Keras: quiet start-up settings, devices, threads and the collector guard."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading

import pytest

from mammoviewer import keras_runtime
from mammoviewer.errors import DetectorError


def test_importing_it_loads_nothing_and_start_up_settings_are_defaults_only():
    code = ("import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '1';"
            "from mammoviewer import keras_runtime as k; k.configure_environment();"
            "print(os.environ['TF_CPP_MIN_LOG_LEVEL'], os.environ['TF_ENABLE_ONEDNN_OPTS'], 'keras' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.stdout.split() == ["1", "0", "False"], out.stderr


def test_the_cpu_is_always_a_device_and_unknown_devices_are_refused():
    assert keras_runtime.pick_device("cpu")[1] == "CPU"
    with pytest.raises(DetectorError, match="unknown device 'tpu'"):
        keras_runtime.pick_device("tpu")


def test_the_collector_stays_off_until_the_last_holder_leaves():
    assert gc.isenabled()
    inner_done = threading.Event()
    with keras_runtime.collector_paused():
        assert not gc.isenabled()

        def other() -> None:
            with keras_runtime.collector_paused():
                inner_done.set()

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert inner_done.is_set() and not gc.isenabled()  # still held here
    assert gc.isenabled()


def test_asking_for_threads_loads_nothing_and_is_kept_for_the_runtimes():
    code = ("import os, sys; from mammoviewer import keras_runtime as k;"
            "before = k.requested_threads(); ok = k.set_threads(3, 1); k.leave_a_core_free();"
            "cores = os.cpu_count() or 1;"
            "print(before, ok, k.requested_threads() == (cores - 1 if cores >= 2 else 3), 'keras' in sys.modules,"
            " 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["None", "True", "True", "False", "False"], out.stderr


def test_set_threads_records_the_request(monkeypatch):
    monkeypatch.setattr(keras_runtime, "_threads", None)
    monkeypatch.delitem(sys.modules, "keras", raising=False)  # as before Keras loads: nothing is applied yet
    assert keras_runtime.set_threads(0, 5) is True
    assert keras_runtime.requested_threads() == 1 and keras_runtime._threads == (1, 5)


def test_an_export_that_fails_names_the_file_and_leaves_nothing_behind(tmp_path):
    pytest.importorskip("onnx")
    with pytest.raises(DetectorError, match=r"model\.onnx: cannot write the ONNX model \(AttributeError"):
        keras_runtime.export_onnx(object(), tmp_path / "model.onnx")
    assert list(tmp_path.iterdir()) == []

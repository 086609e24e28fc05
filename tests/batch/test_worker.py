"""A batch worker's detector: the bundled model's ONNX twin, loaded once, without TensorFlow."""

import sys
from pathlib import Path

import pytest

from mammoviewer.batch import register_detector
from mammoviewer.batch.worker import detect_films
from mammoviewer.detect import default_model_path
from mammoviewer.detect.light_runtime import twin_path

FILM = Path(__file__).resolve().parents[2] / "resources" / "samples" / "mdb023.pgm"
pytestmark = pytest.mark.skipif(not twin_path(default_model_path()).is_file(),
                                reason="bundled model or its ONNX twin not present")


def _probe(plugin_name: str, dask_worker=None) -> dict:
    plugin = dask_worker.plugins[plugin_name]
    return {"runtime": getattr(plugin.detector, "runtime", None), "tensorflow": "tensorflow" in sys.modules}


def test_a_worker_detects_on_onnx_runtime_without_tensorflow(dask_cluster):
    client, threads = dask_cluster
    plugin = register_detector(client, None, "cpu", threads)
    label, results = client.submit(detect_films, plugin, [str(FILM)], 0.2, pure=False).result(timeout=120)
    assert label.startswith("idbll-light") and results[0].entry["findings"]
    probes = list(client.run(_probe, plugin).values())
    loaded = [p for p in probes if p["runtime"] is not None]
    assert loaded and all(p["runtime"] == "ONNX Runtime" for p in loaded)
    assert not any(p["tensorflow"] for p in probes)


def test_a_worker_refuses_a_film_that_is_not_a_mammogram(dask_cluster):
    from shared_paths import DATA

    client, threads = dask_cluster
    plugin = register_detector(client, None, "cpu", threads)
    ct = DATA / "ct_wg04_small_rescale.dcm"
    _, results = client.submit(detect_films, plugin, [str(ct), str(FILM)], 0.2, pure=False).result(timeout=120)
    assert "not a mammogram" in results[0].entry["error"] and "findings" not in results[0].entry
    assert results[1].entry["findings"]

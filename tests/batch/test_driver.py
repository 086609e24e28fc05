"""The batch driver on a real Dask LocalCluster (2 worker processes on loopback) and the bundled model.

Results are compared with :func:`~mammoviewer.detect.run.detect_film`, the function ``detect`` uses.
Dying workers are real: a worker is killed with SIGKILL mid-run, and a film named ``poison.pgm``
makes the worker that reaches it kill itself (``MAMMOVIEWER_BATCH_CRASH_ON``, see ``tests/conftest.py``).
"""

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from mammoviewer.batch import Journal, collect_inputs, register_detector, run_batch
from mammoviewer.batch.journal import RESULTS
from mammoviewer.detect import default_model_path
from mammoviewer.detect.run import detect_film, model_identity

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
THRESHOLD = 0.15
pytestmark = pytest.mark.skipif(not default_model_path().is_file(), reason="bundled model not present")


@pytest.fixture(scope="module")
def batch(dask_cluster):
    """``(client, plugin name, model label)`` with the bundled model registered on the workers."""
    client, threads = dask_cluster
    return client, register_detector(client, None, "cpu", threads), model_identity().label


@pytest.fixture(scope="module")
def expected():
    """What ``detect`` gives for each sample film, keyed by file name (without ``seconds``)."""
    from mammoviewer.detect import Detector

    detector = Detector.load(device="cpu")
    out = {}
    for p in sorted(SAMPLES.glob("*.pgm")):
        entry = detect_film(detector, str(p), THRESHOLD).entry
        entry.pop("seconds")
        out[p.name] = entry
    return out


def _films(folder: Path, copies: int = 1) -> Path:
    folder.mkdir()
    for i in range(copies):
        for p in sorted(SAMPLES.glob("*.pgm")):
            shutil.copy(p, folder / f"{p.stem}_{i}.pgm")
    return folder


def _run(batch, folder, out, **kw):
    client, plugin, label = batch
    inputs = collect_inputs([folder])
    with Journal.open(out, {"model": label, "threshold": THRESHOLD}, inputs) as journal:
        summary = run_batch(client, journal.pending(inputs), journal, plugin, label, THRESHOLD, **kw)
    lines = [json.loads(x) for x in (out / RESULTS).read_text().splitlines()]
    return inputs, summary, lines


def _same_as_detect(line, expected):
    name = Path(line["path"]).name
    original = name.rsplit("_", 1)[0] + ".pgm"
    want = dict(expected[original], path=line["path"])
    return {k: v for k, v in line.items() if k != "seconds"} == want and line["seconds"] > 0


def test_results_are_those_of_detect_one_line_per_film(batch, expected, tmp_path):
    folder = _films(tmp_path / "films")
    bad = folder / "truncated.pgm"
    bad.write_bytes(b"P5\n1024 1024\n255\n" + b"\x00" * 100)
    inputs, summary, lines = _run(batch, folder, tmp_path / "out", films_per_task=2)
    assert (summary.detected, summary.failed) == (5, 1)
    assert sorted(x["path"] for x in lines) == sorted(k.path for k in inputs)
    errors = [x for x in lines if "error" in x]
    assert errors == [{"path": str(bad), "error": detect_film(None, str(bad), THRESHOLD).entry["error"]}]
    assert all(_same_as_detect(x, expected) for x in lines if "error" not in x)


def test_a_worker_killed_midway_has_its_films_done_elsewhere(batch, expected, tmp_path):
    client = batch[0]
    folder = _films(tmp_path / "films")
    before = client.run(os.getpid)
    killed = []

    def kill_a_busy_worker(results):
        if killed:
            return
        busy = [addr for addr, keys in client.processing().items() if keys]
        if busy:
            killed.append(before[busy[0]])
            os.kill(before[busy[0]], signal.SIGKILL)

    inputs, summary, lines = _run(batch, folder, tmp_path / "out", on_done=kill_a_busy_worker)
    assert killed and killed[0] not in client.run(os.getpid).values()  # it died (and was restarted)
    assert summary.detected == len(inputs) == 4 and summary.failed == 0
    assert sorted(x["path"] for x in lines) == sorted(k.path for k in inputs)  # none lost, none twice
    assert all(_same_as_detect(x, expected) for x in lines)


def test_a_film_that_kills_workers_twice_is_an_error_and_not_retried(batch, expected, tmp_path):
    folder = tmp_path / "films"
    folder.mkdir()
    shutil.copy(SAMPLES / "mdb001.pgm", folder / "mdb001_0.pgm")
    shutil.copy(SAMPLES / "mdb023.pgm", folder / "poison.pgm")
    shutil.copy(SAMPLES / "mdb024.pgm", folder / "mdb024_0.pgm")
    inputs, summary, lines = _run(batch, folder, tmp_path / "out")
    assert (summary.detected, summary.failed) == (3, 1)
    by_name = {Path(x["path"]).name: x for x in lines}
    assert len(lines) == 3 and set(by_name) == {"mdb001_0.pgm", "poison.pgm", "mdb024_0.pgm"}
    assert by_name["poison.pgm"] == {
        "path": str(folder / "poison.pgm"),
        "error": f"{folder / 'poison.pgm'}: the worker process died 2 times on this film (a crashing "
                 "decoder?); not retried"}
    assert _same_as_detect(by_name["mdb001_0.pgm"], expected) and _same_as_detect(by_name["mdb024_0.pgm"], expected)

"""The local cluster of a batch: a batch killed outright (SIGKILL) or stopped with Ctrl+C leaves nothing
on the terminal that nobody can act on (Python's "leaked semaphore objects" warning, a worker's
KeyboardInterrupt traceback)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mammoviewer.detect import default_model_path

ROOT = Path(__file__).resolve().parents[2]
FILM = ROOT / "resources" / "samples" / "mdb023.pgm"
pytestmark = pytest.mark.skipif(not default_model_path().is_file(), reason="bundled model not present")


def _start(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """A batch over 200 films (far more than it detects before it is stopped), in its own process group
    with Ctrl+C not ignored, once it has written its first result."""
    films = tmp_path / "films"
    films.mkdir()
    shutil.copy(FILM, films / "f000.pgm")
    for i in range(1, 200):
        os.link(films / "f000.pgm", films / f"f{i:03d}.pgm")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mammoviewer", "batch", str(films), "--out", str(out), "--workers", "1",
           "--threshold", "0.5"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    deadline = time.monotonic() + 120
    while not (out / "results.jsonl").is_file() or not (out / "results.jsonl").read_bytes().count(b"\n"):
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the batch never detected a film")
        time.sleep(0.2)
    return proc, out


def _results(out: Path) -> list[dict]:
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert 0 < len(lines) < 200 and all("error" not in x for x in lines), lines[:2]
    return lines


@pytest.mark.slow
def test_a_batch_killed_outright_says_nothing_a_user_cannot_act_on(tmp_path):
    proc, out = _start(tmp_path)
    proc.send_signal(signal.SIGKILL)
    # stderr ends only when every process holding it (workers, the resource tracker) has gone
    err = proc.communicate(timeout=120)[1].decode(errors="replace")
    assert proc.returncode == -signal.SIGKILL
    assert "leaked" not in err and "Warning" not in err, err
    _results(out)


@pytest.mark.slow
def test_ctrl_c_stops_a_batch_with_one_line(tmp_path):
    proc, out = _start(tmp_path)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: to the batch and its workers
    err = proc.communicate(timeout=120)[1].decode(errors="replace")
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["mammoviewer: interrupted"], err
    _results(out)

"""The local cluster of a batch: a batch killed outright (SIGKILL) leaves nothing on the terminal that
nobody can act on (Python's "leaked semaphore objects" warning)."""

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


@pytest.mark.slow
def test_a_batch_killed_outright_says_nothing_a_user_cannot_act_on(tmp_path):
    films = tmp_path / "films"
    films.mkdir()
    shutil.copy(FILM, films / "f000.pgm")
    for i in range(1, 200):  # far more than it detects before the kill
        os.link(films / "f000.pgm", films / f"f{i:03d}.pgm")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mammoviewer", "batch", str(films), "--out", str(out), "--workers", "1",
           "--threshold", "0.5"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (out / "results.jsonl").is_file() or not (out / "results.jsonl").read_bytes().count(b"\n"):
            assert proc.poll() is None and time.monotonic() < deadline, "the batch never detected a film"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
    # stderr ends only when every process holding it (workers, the resource tracker) has gone
    err = proc.communicate(timeout=120)[1].decode(errors="replace")
    assert proc.returncode == -signal.SIGKILL
    assert "leaked" not in err and "Warning" not in err, err
    done = len((out / "results.jsonl").read_text().splitlines())
    assert 0 < done < 200
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert all("error" not in x for x in lines), lines[:2]

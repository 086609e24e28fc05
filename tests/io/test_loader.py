"""``load_image`` reads only regular files: a named pipe given as a film is refused at once by the
loader and by every command that opens films (``info``, ``detect``, ``batch``), never waited on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from loader_paths import ROOT

#: a command still running after this long is waiting on the pipe
PATIENCE_S = 120


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "film.pgm"
    os.mkfifo(path)
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    try:
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=PATIENCE_S, env=env,
                              cwd=ROOT)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args[-3:])} waited on a named pipe for {PATIENCE_S} s")


def test_load_image_refuses_a_named_pipe(fifo):
    proc = _run("-c", f"from mammoviewer.io import load_image\nload_image({str(fifo)!r})")
    assert "ImageReadError" in proc.stderr
    assert f"{fifo}: is a named pipe (FIFO), not an image file; only regular files are read" in proc.stderr


@pytest.mark.parametrize("command", [["info"], ["detect"], ["batch", "--workers", "1", "--out", "OUT"]])
def test_commands_refuse_a_named_pipe_in_one_line(fifo, tmp_path, command):
    args = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    proc = _run("-m", "mammoviewer", *args, str(fifo))
    assert proc.returncode == 2, proc.stderr
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert err and all("named pipe (FIFO)" in ln for ln in err), err

"""Progress bars: drawn on a terminal, silent on a pipe, and a real command shows one under a pty."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from mammoviewer.progress import Bar, callback, track, wanted

ROOT = Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_and_a_pipe_gets_nothing(monkeypatch):
    monkeypatch.delenv("MAMMOVIEWER_PROGRESS", raising=False)
    term, pipe = Terminal(), io.StringIO()
    assert list(track(range(3), "films", stream=term)) == [0, 1, 2]
    assert "films" in term.getvalue() and "3/3" in term.getvalue()
    assert list(track(range(3), "films", stream=pipe)) == [0, 1, 2]
    assert pipe.getvalue() == ""


def test_environment_forces_the_bar(monkeypatch):
    monkeypatch.setenv("MAMMOVIEWER_PROGRESS", "0")
    assert not wanted(Terminal())
    monkeypatch.setenv("MAMMOVIEWER_PROGRESS", "1")
    assert wanted(io.StringIO())


def test_callback_follows_positions(monkeypatch):
    monkeypatch.delenv("MAMMOVIEWER_PROGRESS", raising=False)
    term = Terminal()
    with Bar(None, "evaluate", stream=term) as bar:
        step = callback(bar)
        step(1, 4)
        step(4, 4)
    assert "4/4" in term.getvalue()


def test_import_and_export_of_many_films_show_a_bar_on_a_terminal_only(tmp_path, tiny_mias):
    folder = tiny_mias(tmp_path / "films")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MAMMOVIEWER_PROGRESS", None)
    args = [sys.executable, "-m", "mammoviewer", "import", "--store", str(tmp_path / "s.mvstore"), "--format",
            "mias", "--info", str(folder / "Info.txt"), "--images", str(folder)]
    seen = _on_a_terminal(args, env)
    assert b"10/10" in seen and b"import" in seen
    piped = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""
    export = [sys.executable, "-m", "mammoviewer", "export", "--store", str(tmp_path / "s.mvstore"), "--format",
              "yolo", "--out", str(tmp_path / "yolo")]
    seen = _on_a_terminal(export, env)
    assert b"export" in seen and b"10/10" in seen


def _on_a_terminal(args: list[str], env: dict) -> bytes:
    """What ``args`` writes to stderr when stderr is a 100-column terminal."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        subprocess.run(args, stdout=subprocess.PIPE, stderr=child, env=env, timeout=120, check=True)
        os.close(child)
        child = -1
        seen = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        return seen
    finally:
        os.close(main)
        if child >= 0:
            os.close(child)


def test_a_line_said_during_a_bar_stands_on_its_own(monkeypatch):
    from mammoviewer.progress import say

    monkeypatch.delenv("MAMMOVIEWER_PROGRESS", raising=False)
    term = Terminal()
    with Bar(2, "classify", stream=term) as bar:
        bar.update()
        say("mammoviewer: error: x.pgm: broken", stream=term)
        bar.update()
    assert "\nmammoviewer: error: x.pgm: broken\n" in term.getvalue().replace("\r", "\n")
    pipe = io.StringIO()
    say("one line", stream=pipe)
    assert pipe.getvalue() == "one line\n"


def test_a_resumed_run_starts_its_bar_at_the_work_done_before(monkeypatch):
    monkeypatch.delenv("MAMMOVIEWER_PROGRESS", raising=False)
    term = Terminal()
    with Bar(5, "batch", stream=term, initial=3) as bar:
        assert "3/5" in term.getvalue()
        bar.update(2)
    assert "5/5" in term.getvalue() and "film/s" in term.getvalue()

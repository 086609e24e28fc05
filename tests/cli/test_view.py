"""``mammoviewer view``: offscreen screenshot, no-display message, argument errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared" / "data"


def _film() -> Path:
    for candidate in (ROOT / "resources" / "samples" / "mdb023.pgm", SHARED / "mias" / "pgm" / "mdb023.pgm"):
        if candidate.is_file():
            return candidate
    pytest.skip("MIAS film mdb023.pgm is absent")


def _run(args: list[str], tmp_path: Path, **env_changes: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # keep the user's recent-files list clean
    env["HOME"] = str(tmp_path)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "-m", "mammoviewer", "view", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=180)


@pytest.mark.slow
def test_screenshot_writes_a_non_blank_png_of_the_requested_size(tmp_path):
    pytest.importorskip("PySide6")
    out = tmp_path / "shot.png"
    result = _run([str(_film()), "--screenshot", str(out), "--size", "900x640", "--no-detect"], tmp_path,
                  QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr

    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (900, 640)
    # non-blank: many distinct grey levels (the film), not a flat or two-tone window
    grays = {image.pixelColor(x, y).red() for x in range(0, 900, 7) for y in range(0, 640, 7)}
    assert len(grays) > 40
    # the film is fitted in the middle: its bright breast tissue shows near the centre
    centre = [image.pixelColor(450 + dx, 320 + dy).red() for dx in range(-60, 61, 20) for dy in range(-60, 61, 20)]
    assert max(centre) > 120


def test_screenshot_of_a_broken_file_says_why_and_still_writes_the_window(tmp_path):
    pytest.importorskip("PySide6")
    junk = tmp_path / "junk.pgm"
    junk.write_bytes(b"P5\n10 10\n255\nshort")
    out = tmp_path / "shot.png"
    result = _run([str(junk), "--screenshot", str(out), "--no-detect"], tmp_path, QT_QPA_PLATFORM=None)
    assert result.returncode == 2
    assert result.stderr.startswith("mammoviewer: error: ") and "junk.pgm" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.is_file() and out.stat().st_size > 1000


def test_without_a_display_it_explains_how_to_run(tmp_path):
    result = _run([], tmp_path, QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None)
    assert result.returncode != 0
    assert "xvfb-run -a mammoviewer view" in result.stderr and "--screenshot" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_and_bad_size_are_one_line_errors(tmp_path):
    result = _run([str(tmp_path / "nope.pgm"), "--screenshot", str(tmp_path / "x.png")], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"mammoviewer: error: {tmp_path / 'nope.pgm'}: no such file or folder"
    result = _run([str(_film()), "--size", "big"], tmp_path)
    assert result.returncode == 2 and "expected WIDTHxHEIGHT" in result.stderr


def test_parse_size():
    from mammoviewer.cli.view import parse_size

    assert parse_size("1400x900") == (1400, 900)
    assert parse_size("800X600") == (800, 600)


def test_missing_model_is_a_one_line_error(tmp_path):
    result = _run([str(_film()), "--model", str(tmp_path / "nope.keras"), "--screenshot", str(tmp_path / "x.png")],
                  tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"mammoviewer: error: {tmp_path / 'nope.keras'}: no such model file or folder"

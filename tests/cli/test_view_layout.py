"""``mammoviewer view --layout``: studies rendered offscreen in a hanging, and argument errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from study_writer import write_exam

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path),
               QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "mammoviewer", "view", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=180)


def test_four_up_screenshot_of_written_exams(tmp_path):
    pytest.importorskip("PySide6")
    write_exam(tmp_path / "exams", "PAT-1", "20200101", mirror_right=True)
    out = tmp_path / "four.png"
    result = _run([str(tmp_path / "exams"), "--layout", "4up", "--screenshot", str(out), "--size", "1300x800",
                   "--no-detect", "--store", str(tmp_path / "s.sqlite")], tmp_path)
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1300, 800)
    grays = {image.pixelColor(x, y).red() for x in range(0, 1300, 9) for y in range(0, 800, 9)}
    assert len(grays) > 40  # films, not an empty window


def test_bad_layout_and_a_folder_without_images(tmp_path):
    result = _run([str(tmp_path), "--layout", "3up"], tmp_path)
    assert result.returncode == 2 and "invalid choice: '3up'" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run([str(empty), "--layout", "auto", "--screenshot", str(tmp_path / "x.png"), "--no-detect",
                   "--store", str(tmp_path / "s.sqlite")], tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"mammoviewer: error: no images found in {empty}"


@pytest.mark.parametrize("name", ["mg_ge_sends_lcc_for_processing_4x4.dcm", "mg_ge_seno_lcc_for_presentation_hdr.dcm",
                                  "mg_ge_seno_lcc_for_processing_hdr.dcm"])
def test_two_up_screenshot_of_a_film_narrower_than_five_columns_finishes(tmp_path, name):
    pytest.importorskip("PySide6")
    from shared_paths import DICOM

    if not (DICOM / name).is_file():
        pytest.skip("the shared DICOM set is not available")
    out = tmp_path / "two.png"
    try:  # it once waited until killed
        result = subprocess.run([sys.executable, "-m", "mammoviewer", "view", str(DICOM / name), "--layout", "2up",
                                 "--screenshot", str(out), "--size", "1300x800", "--no-detect",
                                 "--store", str(tmp_path / "s.sqlite")], capture_output=True, text=True, cwd=ROOT,
                                env=dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path),
                                         QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT)), timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"view --layout 2up --screenshot of {name} still waits after 90 s")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    from PySide6.QtGui import QImage

    assert (QImage(str(out)).width(), QImage(str(out)).height()) == (1300, 800)


def test_a_layout_without_a_path_shows_the_bundled_samples_never_an_empty_window(tmp_path):
    pytest.importorskip("PySide6")
    if not (ROOT / "resources" / "samples" / "mdb023.pgm").is_file():
        pytest.skip("bundled samples absent")
    out = tmp_path / "none.png"
    result = _run(["--layout", "4up", "--screenshot", str(out), "--size", "1200x800", "--no-detect",
                   "--store", str(tmp_path / "s.sqlite")], tmp_path)
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    grays = {image.pixelColor(x, y).red() for x in range(0, 1200, 9) for y in range(0, 800, 9)}
    assert len(grays) > 40  # films, not an empty window


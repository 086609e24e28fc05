"""``mammoviewer info``: exact JSON keys, readable table, one error line per bad file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mammoviewer.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SAMPLE = ROOT / "resources" / "samples" / "mdb023.pgm"
GE = DATA / "mg_ge_seno_lcc_for_presentation_hdr.dcm"
KEYS = ["format", "rows", "columns", "bits_stored", "photometric", "modality",
        "laterality", "view", "pixel_spacing_mm", "windows"]


def test_json_one_file(capsys):
    assert main(["info", str(GE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == KEYS
    assert out["format"] == "dicom" and (out["rows"], out["columns"]) == (1, 2)
    assert (out["bits_stored"], out["photometric"], out["modality"]) == (12, "MONOCHROME2", "MG")
    assert (out["laterality"], out["view"]) == ("L", "CC")
    assert out["pixel_spacing_mm"] == [74.708182, 46.575]
    assert out["windows"][1] == {"center": 2286.0, "width": 380.0, "name": "HARDER", "function": "SIGMOID"}
    assert len(out["windows"]) == 3


def test_json_several_files_is_a_list(capsys):
    assert main(["info", "--json", str(SAMPLE), str(DATA / "ct_wg04_small_rescale.dcm")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["format"] for o in out] == ["pgm", "dicom"]
    assert out[0]["pixel_spacing_mm"] == [0.2, 0.2] and out[0]["windows"] == []
    assert out[1]["modality"] == "CT"


def test_table(capsys):
    assert main(["info", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == str(SAMPLE)
    assert "rows             1024" in out and "pixel_spacing_mm 0.2 x 0.2" in out and "view             MLO" in out


def test_bad_file_among_good_ones(capsys):
    bad = DATA / "broken_no_pixeldata.dcm"
    assert main(["info", "--json", str(bad), str(SAMPLE)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [f"mammoviewer: error: {bad}: DICOM file has no Pixel Data (7FE0,0010); nothing to show"]
    assert [o["rows"] for o in json.loads(captured.out)] == [1024]


def test_missing_file(capsys, tmp_path):
    assert main(["info", str(tmp_path / "x.pgm")]) == 2
    assert capsys.readouterr().err.strip() == f"mammoviewer: error: {tmp_path / 'x.pgm'}: no such file"


@pytest.mark.parametrize("name", ["broken_truncated_jpegls.dcm", "broken_not_dicom_text.dcm"])
def test_real_process_prints_one_line_and_no_traceback(name):
    exe = Path(sys.executable).parent / "mammoviewer"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "mammoviewer"]
    result = subprocess.run([*cmd, "info", str(DATA / name)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mammoviewer: error: {DATA / name}: ")

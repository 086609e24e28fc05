"""``mammoviewer density`` end to end: the JSON contract, and one line per film it refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mammoviewer.cli import main

from shared_paths import DICOM, MIAS, ROOT

from shared_paths import needs_shared  # noqa: E402

pytestmark = needs_shared()

FATTY, DENSE = MIAS / "mdb005.png", MIAS / "mdb003.png"  # Info.txt: F and D
NOT_MAMMOGRAMS = [DICOM / "ct_wg04_small_rescale.dcm", DICOM / "us_8bit_jpeg_ll_sv1.dcm",
                  DICOM / "cr_wg04_rg3_mono1_j2k_lossy.dcm"]


def test_json_has_exactly_the_contract_keys(capsys) -> None:
    assert main(["density", str(FATTY), str(DENSE), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"images"}
    assert [im["path"] for im in doc["images"]] == [str(FATTY), str(DENSE)]
    for im in doc["images"]:
        assert set(im) == {"path", "percent_density", "tissue", "scores"}
        assert 0.0 <= im["percent_density"] <= 100.0 and im["tissue"] in ("F", "G", "D")
        assert list(im["scores"]) == ["F", "G", "D"] and sum(im["scores"].values()) == pytest.approx(1.0, abs=1e-5)
        assert im["tissue"] == max(im["scores"], key=im["scores"].get)
    fatty, dense = doc["images"]
    assert fatty["percent_density"] < dense["percent_density"]
    assert (fatty["tissue"], dense["tissue"]) == ("F", "D")


def test_ct_ultrasound_and_leg_film_are_refused_one_line_each_the_rest_graded() -> None:
    paths = [str(p) for p in [*NOT_MAMMOGRAMS, FATTY]]
    res = subprocess.run([sys.executable, "-m", "mammoviewer", "density", *paths, "--json"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert res.returncode == 2
    images = json.loads(res.stdout)["images"]
    assert [set(im) for im in images[:3]] == [{"path", "error"}] * 3
    assert set(images[3]) == {"path", "percent_density", "tissue", "scores"}
    errors = res.stderr.strip().splitlines()
    assert len(errors) == 3 and "Traceback" not in res.stderr
    for line, path, modality in zip(errors, paths, ("CT", "US", "CR")):
        assert line.startswith(f"mammoviewer: error: {path}: not a mammogram: DICOM Modality {modality}")


def test_text_output_and_a_missing_file(tmp_path: Path, capsys) -> None:
    assert main(["density", str(DENSE), str(tmp_path / "nope.png")]) == 2
    out = capsys.readouterr()
    assert out.out.startswith(f"{DENSE}: percent density ") and "tissue D (dense-glandular)" in out.out
    assert out.err.count("mammoviewer: error:") == 1 and "nope.png" in out.err


def test_an_unreadable_card_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["density", str(DENSE), "--card", str(tmp_path / "card.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a readable density card" in err[0]

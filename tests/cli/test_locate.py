"""``mammoviewer locate --json`` end to end with the REAL bundled model on a real MIAS film: the contract."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "mdb023.pgm"
MODEL = ROOT / "models" / "idbll-light" / "model.keras"
pytestmark = pytest.mark.skipif(not (SAMPLE.is_file() and MODEL.is_file()), reason="bundled model or sample missing")
# mdb023: malignant CIRC at MIAS x=538, y=681 (from the bottom), r=29 -> centre column 538, row 343
CX, CY, R = 538.0, 343.0, 29.0


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mammoviewer", "locate", *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def doc():
    proc = _run(str(SAMPLE), "--at", "538,343", "--at", "558.5,343", "--json", "--device", "cpu")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_is_the_contract(doc):
    assert set(doc) == {"model", "path", "clicks"}
    assert doc["model"].startswith("idbll-light ") and doc["path"] == str(SAMPLE)
    assert [c["at"] for c in doc["clicks"]] == [[538.0, 343.0], [558.5, 343.0]]
    for c in doc["clicks"]:
        assert set(c) == {"at", "findings"} and c["findings"]
        scores = [f["score"] for f in c["findings"]]
        assert scores == sorted(scores, reverse=True)  # best first
        for f in c["findings"]:
            assert set(f) == {"box", "label", "score"} and f["label"] in ("benign", "malignant")
            x0, y0, x1, y1 = f["box"]
            assert 0 <= x0 < x1 <= 1024 and 0 <= y0 < y1 <= 1024 and 0 <= f["score"] <= 1


def test_first_proposal_is_the_lesion_in_the_films_pixels(doc):
    for c in doc["clicks"]:
        x0, y0, x1, y1 = c["findings"][0]["box"]
        assert ((x0 + x1) / 2 - CX) ** 2 + ((y0 + y1) / 2 - CY) ** 2 <= R * R  # rows from the top, not MIAS y
        assert x0 <= c["at"][0] <= x1 and y0 <= c["at"][1] <= y1


@pytest.mark.parametrize("args, needle", [
    (["--at", "538"], "argument --at: '538' is not X,Y"),
    (["--at", "a,b"], "argument --at: 'a,b' is not X,Y"),
    (["--at", "1024,5"], "mdb023.pgm: --at 1024,5 is outside the 1024 x 1024 image"),
    (["--at", "5,-1"], "mdb023.pgm: --at 5,-1 is outside the 1024 x 1024 image"),
])
def test_bad_clicks_exit_2_with_one_line(args, needle):
    proc = _run(str(SAMPLE), *args, "--json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert needle in proc.stderr and "Traceback" not in proc.stderr
    assert len([line for line in proc.stderr.splitlines() if "error" in line]) == 1


def test_unreadable_image_exits_2_naming_it(tmp_path):
    bad = tmp_path / "broken.pgm"
    bad.write_bytes(b"P5\n1024 1024\n255\n" + b"\x00" * 100)  # truncated
    proc = _run(str(bad), "--at", "5,5", "--json")
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and str(bad) in proc.stderr

"""End to end: the REAL bundled model through ``mammoviewer detect --json`` on an original MIAS PGM."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from shared_paths import needs_shared

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "idbll-light" / "model.keras"
SAMPLES = [ROOT / "resources" / "samples" / "mdb023.pgm", ROOT / ".." / "shared" / "data" / "mias" / "pgm" / "mdb023.pgm"]
SAMPLE = next((p for p in SAMPLES if p.is_file()), None)
pytestmark = [
    pytest.mark.skipif(SAMPLE is None, reason="mdb023.pgm not found"),
    pytest.mark.skipif(not MODEL.is_file(), reason="bundled model not present"),
]
# mdb023: malignant CIRC at MIAS x=538, y=681 (from the bottom), r=29 -> centre column 538, row 343
LESION = (538.0, 1024 - 681.0, 29.0)


@pytest.fixture(scope="module")
def detect_run(tmp_path_factory):
    bad = tmp_path_factory.mktemp("bad") / "broken.pgm"
    bad.write_bytes(b"P5\n1024 1024\n255\n" + b"\x00" * 100)  # truncated
    cmd = [sys.executable, "-m", "mammoviewer", "detect", str(SAMPLE), str(bad), str(SAMPLE),
           "--threshold", "0", "--device", "cpu", "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    return proc, bad


def test_json_schema_and_box_frame(detect_run):
    proc, _ = detect_run
    doc = json.loads(proc.stdout)
    assert set(doc) == {"model", "device", "threshold", "images"}
    assert doc["device"] == "CPU" and doc["model"].startswith("idbll-light") and doc["threshold"] == 0.0
    assert len(doc["images"]) == 3
    for entry in doc["images"][0::2]:
        assert set(entry) == {"path", "width", "height", "seconds", "findings"}
        assert entry["path"] == str(SAMPLE) and (entry["width"], entry["height"]) == (1024, 1024)
        assert entry["seconds"] > 0
        findings = entry["findings"]
        assert 0 < len(findings) <= 100
        scores = [f["score"] for f in findings]
        assert scores == sorted(scores, reverse=True)
        for f in findings:
            assert set(f) == {"box", "label", "score"} and f["label"] in ("benign", "malignant")
            x0, y0, x1, y1 = f["box"]
            assert 0 <= x0 < x1 <= 1024 and 0 <= y0 < y1 <= 1024 and 0 <= f["score"] <= 1
    assert doc["images"][0]["findings"] == doc["images"][2]["findings"]  # loaded once, deterministic


def test_a_failed_film_is_an_error_entry_in_its_place(detect_run):
    proc, bad = detect_run
    entry = json.loads(proc.stdout)["images"][1]
    assert set(entry) == {"path", "error"} and entry["path"] == str(bad)
    assert str(bad) in entry["error"] and "\n" not in entry["error"]


def test_the_lesion_is_among_the_best_candidates(detect_run):
    proc, _ = detect_run
    findings = json.loads(proc.stdout)["images"][0]["findings"]
    cx, cy, r = LESION

    def hits(f):
        x0, y0, x1, y1 = f["box"]
        return ((x0 + x1) / 2 - cx) ** 2 + ((y0 + y1) / 2 - cy) ** 2 <= r * r

    assert any(hits(f) for f in findings[:5]), findings[:5]


def test_bad_input_gives_one_stderr_line_and_a_non_zero_exit(detect_run):
    proc, bad = detect_run
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2  # as info, classify and bad arguments
    assert len(lines) == 1 and str(bad) in lines[0] and lines[0].startswith("mammoviewer: error:")


def test_threshold_filters_in_process(capsys):
    from mammoviewer.cli import main

    assert main(["detect", str(SAMPLE), "--threshold", "0.3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["threshold"] == 0.3 and all(f["score"] >= 0.3 for f in doc["images"][0]["findings"])


def test_the_default_threshold_is_the_models_and_is_reported(capsys):
    from mammoviewer.cli import main
    from mammoviewer.detect.run import model_identity

    assert main(["detect", str(SAMPLE), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["threshold"] == model_identity().default_threshold
    assert all(f["score"] >= doc["threshold"] for f in doc["images"][0]["findings"])


def test_store_records_the_findings_as_pending(tmp_path, capsys):
    from mammoviewer.cli import main
    from mammoviewer.review import ReviewStore
    from mammoviewer.review.keys import image_key

    store_path = tmp_path / "review.sqlite"
    missing = tmp_path / "missing.png"
    assert main(["detect", str(SAMPLE), str(missing), "--threshold", "0.2", "--store", str(store_path),
                 "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    expected = doc["images"][0]["findings"]
    assert expected and doc["images"][1]["path"] == str(missing)
    with ReviewStore.open(store_path, create=False) as store:
        assert [r.key for r in store.images()] == [image_key(SAMPLE)]  # the failed film is not added
        found = store.findings(image_key(SAMPLE))
        runs = store.model_runs(image_key(SAMPLE))
    assert [(list(f.box.as_tuple()), f.label, f.score) for f in found] == \
        [(e["box"], e["label"], e["score"]) for e in expected]
    assert {(f.source, f.status, f.model_name) for f in found} == {("model", "pending", "idbll-light")}
    assert len(runs) == 1 and runs[0]["threshold"] == 0.2 and runs[0]["n_findings"] == len(expected)


def test_missing_model_is_one_line(tmp_path, capsys):
    from mammoviewer.cli import main

    assert main(["detect", str(SAMPLE), "--model", str(tmp_path / "none.keras"), "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.keras: model file not found" in err[0]


@pytest.mark.parametrize("bad", ["2", "-1", "nan", "high"])
def test_a_threshold_outside_0_to_1_is_refused(bad, capsys):
    from mammoviewer.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["detect", str(SAMPLE), "--threshold", bad, "--json"])
    assert exc.value.code == 2
    err = capsys.readouterr()
    assert f"argument --threshold: {bad!r} is not a score between 0 and 1" in err.err and err.out == ""


@needs_shared()
def test_a_ct_an_ultrasound_and_a_leg_film_are_refused_one_line_each(capsys):
    from mammoviewer.cli import main
    from shared_paths import DICOM

    paths = [str(DICOM / n) for n in ("ct_wg04_small_rescale.dcm", "us_8bit_jpeg_ll_sv1.dcm",
                                      "cr_wg04_rg3_mono1_j2k_lossy.dcm")]
    assert main(["detect", *paths, "--device", "cpu", "--json"]) == 2
    out = capsys.readouterr()
    assert [set(e) for e in json.loads(out.out)["images"]] == [{"path", "error"}] * 3  # no findings, no "normal"
    err = out.err.strip().splitlines()
    assert len(err) == 3
    for line, path, modality in zip(err, paths, ("CT", "US", "CR")):
        assert line.startswith(f"mammoviewer: error: {path}: not a mammogram: DICOM Modality {modality}")

"""``mammoviewer classify`` end to end with the bundled model on a real MIAS film."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mammoviewer.cli import main
from shared_paths import needs_shared

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "case-classifier" / "model.keras"
FILM = ROOT / "resources" / "samples" / "mdb023.pgm"
PARTNER = ROOT / "resources" / "samples" / "mdb024.pgm"  # the same patient's left breast
SHARED_FILM = ROOT / ".." / "shared" / "data" / "mias" / "pgm" / "mdb023.pgm"

pytestmark = pytest.mark.skipif(not MODEL.is_file(), reason=f"bundled model {MODEL} not present")


@pytest.fixture
def film() -> Path:
    for cand in (FILM, SHARED_FILM):
        if cand.is_file():
            return cand
    pytest.skip("mdb023.pgm not found")


def _check_schema(doc: dict, paths: list[str]) -> None:
    assert {"model", "images"} <= set(doc) <= {"model", "images", "other_breast"}
    assert {"name", "version", "case_score"} <= set(doc["model"])
    assert [im["path"] for im in doc["images"]] == paths
    for im in doc["images"]:
        assert set(im) == {"path", "probabilities", "decision", "abnormal_score", "threshold"}
        assert im["decision"] in ("normal", "benign", "malignant")
        assert im["abnormal_score"] == pytest.approx(1.0 - im["probabilities"]["normal"])
        assert (im["decision"] == "normal") == (im["abnormal_score"] < im["threshold"])
        probs = im["probabilities"]
        assert list(probs) == ["normal", "benign", "malignant"]
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in probs.values())
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-6)


def test_classify_json_schema_on_a_real_film(film: Path, capsys) -> None:
    assert main(["classify", str(film), str(film), "--json"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    _check_schema(doc, [str(film), str(film)])
    assert doc["images"][0] == doc["images"][1]  # deterministic
    assert doc["model"]["name"] == "case-classifier"


def test_the_case_score_combines_the_detector_with_the_classifier(film: Path, tmp_path: Path, capsys) -> None:
    from mammoviewer.classify.classifier import CaseClassifier
    from mammoviewer.detect import Detector
    from mammoviewer.io import load_image

    film = Path(shutil.copy(film, tmp_path / film.name))  # alone in its folder: no other breast beside it

    assert main(["classify", str(film), "--json"]) == 0
    combined = json.loads(capsys.readouterr().out)
    assert main(["classify", str(film), "--json", "--classifier-only"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert combined["model"]["case_score"] == "combined" and alone["model"]["case_score"] == "classifier"
    assert combined["model"]["detector"]["name"] == "idbll-light"
    clf = CaseClassifier.load(None)
    image = load_image(film)
    scores = [d.score for d in Detector.load(None, device="cpu").detect(image, threshold=0.0)]
    p, own = combined["images"][0]["probabilities"], alone["images"][0]["probabilities"]
    assert own == pytest.approx(clf.predict(image), abs=1e-6)
    assert p == pytest.approx(clf.combined.probabilities(scores, own), abs=1e-6)  # no other film beside it
    assert combined["other_breast"] == {str(film): None} and "other_breast" not in alone
    assert p != pytest.approx(own, abs=1e-3)


def test_the_other_breast_beside_a_film_is_compared(film: Path, tmp_path: Path, capsys) -> None:
    """mdb023 and mdb024 (bundled) are one patient's right and left films: each is scored against the other."""
    from mammoviewer.classify.classifier import CaseClassifier
    from mammoviewer.detect import Detector
    from mammoviewer.io import load_image

    right, left = tmp_path / "mdb023.pgm", tmp_path / "mdb024.pgm"
    right.write_bytes(film.read_bytes())
    left.write_bytes(PARTNER.read_bytes())
    assert main(["classify", str(right), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    _check_schema(doc, [str(right)])
    assert doc["other_breast"] == {str(right): str(left)}
    clf, det = CaseClassifier.load(None), Detector.load(None, device="cpu")
    own = clf.predict(load_image(right))
    mine = [d.score for d in det.detect(load_image(right), threshold=0.0)]
    theirs = [d.score for d in det.detect(load_image(left), threshold=0.0)]
    assert clf.paired is not None and clf.paired.contralateral
    expected = clf.paired.probabilities(mine, own, theirs)
    assert doc["images"][0]["probabilities"] == pytest.approx(expected, abs=1e-6)
    assert expected != pytest.approx(clf.combined.probabilities(mine, own), abs=1e-3)
    assert main(["classify", str(right), "--json", "--single-film"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["other_breast"] == {str(right): None}
    assert alone["images"][0]["probabilities"] == pytest.approx(clf.combined.probabilities(mine, own), abs=1e-6)


def test_bad_file_is_one_error_line_and_the_rest_is_classified(film: Path, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pgm"
    bad.write_bytes(b"P5\n1024 1024\n255\n" + b"\0" * 10)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    res = subprocess.run(
        [sys.executable, "-m", "mammoviewer", "classify", str(bad), str(film), "--json"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )
    assert res.returncode == 2
    doc = json.loads(res.stdout)
    _check_schema(doc, [str(film)])
    errors = [line for line in res.stderr.splitlines() if line.startswith("mammoviewer:")]
    assert len(errors) == 1 and str(bad) in errors[0]
    assert "Traceback" not in res.stderr


def test_text_output_names_the_decision_at_the_operating_point(tmp_path: Path, capsys) -> None:
    """The headline is the decision the viewer shows, not the likeliest class. Each sample film is scored
    alone (the single-film rule); on at least one of them the two differ (p(normal) is the largest, yet the
    abnormal score is above the operating threshold), so the test tells them apart."""
    from mammoviewer.classify.classifier import CaseClassifier

    rule = CaseClassifier.load(None).combined
    differ = []
    for sample in sorted(FILM.parent.glob("*.pgm")):
        film = Path(shutil.copy(sample, tmp_path / sample.name))  # no other breast beside it
        assert main(["classify", str(film), "--json"]) == 0
        p = json.loads(capsys.readouterr().out)["images"][0]["probabilities"]
        assert main(["classify", str(film)]) == 0
        line = capsys.readouterr().out.strip()
        decision = rule.decide(p)
        assert line.startswith(f"{film}: {decision}  normal {p['normal']:.3f}")
        film.unlink()
        if decision != max(p, key=p.get):
            differ.append(sample.name)
    assert differ, "no sample film where the decision and the likeliest class differ"


def test_json_gives_the_decision_and_threshold_the_viewer_shows(film: Path, tmp_path: Path, capsys) -> None:
    """Scored alone and beside the other breast, each film's rule (and so its threshold) differs, as in
    the viewer's "Decision: X (abnormal score s >= its threshold t)"."""
    from mammoviewer.classify.classifier import CaseClassifier

    clf = CaseClassifier.load(None)
    alone = Path(shutil.copy(film, tmp_path / film.name))
    assert main(["classify", str(alone), "--json"]) == 0
    im = json.loads(capsys.readouterr().out)["images"][0]
    rule = clf.case_rule(False)
    assert (im["decision"], im["threshold"]) == (rule.decide(im["probabilities"]), rule.threshold)
    if PARTNER.is_file():
        assert main(["classify", str(FILM), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        paired = clf.case_rule(True)
        if doc["other_breast"][str(FILM)] is not None and paired is not None:
            im = doc["images"][0]
            assert (im["decision"], im["threshold"]) == (paired.decide(im["probabilities"]), paired.threshold)


def test_a_film_the_models_cannot_take_is_one_line_and_the_rest_is_classified(film: Path, tmp_path: Path,
                                                                              capsys) -> None:
    thin = tmp_path / "row.pgm"
    thin.write_bytes(b"P5\n65536 1\n255\n" + bytes(65536))
    assert main(["classify", str(thin), str(film), "--json"]) == 2
    out = capsys.readouterr()
    assert [im["path"] for im in json.loads(out.out)["images"]] == [str(film)]
    assert out.err.strip() == f"mammoviewer: error: {thin}: 65536x1 pixels: too small to be a film " \
                              "(each side needs at least 16 pixels)"


def test_missing_model_is_one_line_exit_2(film: Path, tmp_path: Path, capsys) -> None:
    assert main(["classify", str(film), "--model", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "case classifier model not found" in err[0]


@needs_shared()
def test_a_ct_an_ultrasound_and_a_leg_film_are_refused_never_scored_normal(film: Path, capsys) -> None:
    shared = ROOT / ".." / "shared" / "data" / "dicom"
    paths = [str(shared / n) for n in ("ct_wg04_small_rescale.dcm", "us_8bit_jpeg_ll_sv1.dcm",
                                       "cr_wg04_rg3_mono1_j2k_lossy.dcm")]
    assert main(["classify", *paths, str(film), "--json", "--single-film"]) == 2
    out = capsys.readouterr()
    assert [im["path"] for im in json.loads(out.out)["images"]] == [str(film)]
    err = out.err.strip().splitlines()
    assert len(err) == 3
    for line, path, modality in zip(err, paths, ("CT", "US", "CR")):
        assert line.startswith(f"mammoviewer: error: {path}: not a mammogram: DICOM Modality {modality}")

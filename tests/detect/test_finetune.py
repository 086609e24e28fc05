"""Retraining from a review store: truth and hard negatives from corrections, and the loop end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mammoviewer.detect.anchors import AnchorSpec
from mammoviewer.detect.finetune import FinetuneConfig, HardNegativeSampler, finetune, reviewed_films
from mammoviewer.detect.sampler import CropConfig, TrainFilm
from mammoviewer.errors import DetectorError
from mammoviewer.review import Box, Finding, FindingChange, ImageRecord
from mammoviewer.review.store import ReviewStore

from shared_paths import MIAS, ROOT
from shared_paths import needs_shared
SAMPLE = ROOT / "resources" / "samples" / "mdb023.pgm"
TRUE_BOX = (509.0, 314.0, 567.0, 372.0)  # mdb023: CIRC M at MIAS x=538, y=681, r=29


def _store_with(tmp_path: Path, findings: list[Finding], state: str = "reviewed") -> Path:
    path = tmp_path / "review.sqlite"
    with ReviewStore.open(path) as store:
        store.add_image(ImageRecord(key=str(SAMPLE), width=1024, height=1024))
        for f in findings:
            store.apply(FindingChange("add", None, f))
        store.set_review_state(str(SAMPLE), state)
    return path


def test_reviewed_films_take_truth_from_corrections_and_negatives_from_rejections(tmp_path):
    key = str(SAMPLE)
    findings = [
        Finding(image_key=key, box=Box(*TRUE_BOX), label="malignant", source="reader"),
        Finding(image_key=key, box=Box(100, 100, 150, 150), label="benign", source="model", score=0.9,
                status="rejected"),
        Finding(image_key=key, box=Box(300, 300, 350, 350), label="benign", source="model", score=0.7,
                status="accepted"),
        Finding(image_key=key, box=Box(600, 600, 650, 650), label="benign", source="model", score=0.2),
    ]
    films = reviewed_films(_store_with(tmp_path, findings))
    assert len(films) == 1 and films[0].ref == "mdb023"
    assert sorted(films[0].truth) == sorted([(TRUE_BOX, "malignant"), ((300.0, 300.0, 350.0, 350.0), "benign")])
    assert films[0].negatives == [(100.0, 100.0, 150.0, 150.0)]  # pending model findings are neither


def test_unreviewed_films_are_not_used(tmp_path):
    key = str(SAMPLE)
    store = _store_with(tmp_path, [Finding(image_key=key, box=Box(*TRUE_BOX), label="malignant")], "in progress")
    assert reviewed_films(store) == []


@needs_shared()
def test_retraining_takes_truth_by_the_same_rule_as_the_exports(tmp_path):
    """Not a mammogram: left out; one film under two names, both reviewed: refused, naming both."""
    import shutil

    store = _store_with(tmp_path, [Finding(image_key=str(SAMPLE), box=Box(*TRUE_BOX), label="malignant")])
    copy = tmp_path / "mdb023-copy.pgm"
    shutil.copy(SAMPLE, copy)
    with ReviewStore.open(store) as s:
        s.add_image(ImageRecord(key="/films/leg.dcm", width=10, height=10, review_state="reviewed", modality="CR"))
        s.apply(FindingChange("add", None, Finding(image_key="/films/leg.dcm", box=Box(1, 1, 5, 5), label="benign")))
    assert [f.path for f in reviewed_films(store)] == [str(SAMPLE)]
    with ReviewStore.open(store) as s:
        s.add_image(ImageRecord(key=str(copy), width=1024, height=1024, review_state="reviewed"))
    with pytest.raises(DetectorError, match="are the same film") as err:
        reviewed_films(store)
    # the store lists films by name, so which of the two comes first depends on where they lie
    assert {f"{copy} and {SAMPLE}", f"{SAMPLE} and {copy}"} & {str(err.value).split(" are the same film")[0]}


def test_a_reviewed_copy_of_a_held_out_film_is_not_trained_on(tmp_path):
    """The check's films stay unseen by the new model even when the reader reviewed one under another name."""
    import shutil

    from mammoviewer.detect.finetune import ReviewedFilm, _outside
    from mammoviewer.review.identity import identify_file

    ref_dir = tmp_path / "mias"
    ref_dir.mkdir()
    shutil.copy(SAMPLE, ref_dir / "mdb023.pgm")
    same = identify_file(SAMPLE)[0]
    films = [ReviewedFilm("scan-7", "/x/scan-7.png", [], [], same), ReviewedFilm("mdb001", "/x/mdb001.png", [], []),
             ReviewedFilm("other", "/x/other.png", [], [], "px1:other")]
    kept = _outside(films, {"mdb023", "mdb001"}, str(ref_dir))
    assert [f.ref for f in kept] == ["other"]


def test_hard_negative_crops_are_centred_on_rejected_boxes():
    img = np.full((512, 512), 200, np.uint8)
    film = TrainFilm("f", img, np.zeros((0, 4)), np.zeros((0,), np.int32))
    neg = np.array([[400.0, 60.0, 440.0, 100.0]])
    sampler = HardNegativeSampler([film], AnchorSpec(), CropConfig(), {"f": neg}, hard_fraction=1.0)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x0, y0 = sampler._origin(film, 256, rng, positive=False)
        assert x0 <= 420 <= x0 + 256 and y0 <= 80 <= y0 + 256


def test_refuses_to_overwrite_the_bundled_model(tmp_path):
    from mammoviewer.detect import default_model_path

    if not default_model_path().is_file():
        pytest.skip("no bundled model")
    store = _store_with(tmp_path, [])
    with pytest.raises(DetectorError, match="refusing to overwrite"):
        finetune(FinetuneConfig(store=str(store), model=None, out=str(default_model_path().parent)))


def _score_near(detections, box) -> float:
    from mammoviewer.geometry import boxes as gb

    best = 0.0
    for d in detections:
        if gb.iou(np.array([d.box]), np.array([box]))[0, 0] >= 0.3:
            best = max(best, d.score)
    return best


@pytest.mark.slow
def test_correction_moves_the_retrained_model_towards_it(tmp_path):
    """The loop end to end with the real bundled model: correct, retrain briefly, detect again."""
    from mammoviewer.detect import Detector, default_model_path
    from mammoviewer.io import load_image

    if not default_model_path().is_file():
        pytest.skip("no bundled model")
    image = load_image(SAMPLE)
    old = Detector.load()
    before = old.detect(image, threshold=0.0)
    from mammoviewer.geometry import boxes as gb

    false_pos = [d for d in before
                 if gb.iou(np.array([d.box]), np.array([TRUE_BOX]))[0, 0] < 0.05][0]  # best-scoring miss
    key = str(SAMPLE)
    findings = [
        Finding(image_key=key, box=Box(*TRUE_BOX), label="malignant", source="reader"),
        Finding(image_key=key, box=Box(*false_pos.box), label=false_pos.label, source="model",
                score=false_pos.score, status="rejected"),
    ]
    store = _store_with(tmp_path, findings)
    out = tmp_path / "idbll-retrained"
    report = finetune(FinetuneConfig(store=str(store), model=None, out=str(out), images=None, holdout=[],
                                     epochs=1, steps_per_epoch=30, batch_size=8, learning_rate=1e-3))
    assert report.model_path.is_file() and report.truth_boxes == 1 and report.hard_negatives == 1
    card = json.loads((out / "model.json").read_text())
    assert card["retraining"]["reviewed_films"] == ["mdb023"] and card["version"].endswith("+ft")
    assert card["weights_origin"].startswith("no pretrained weights") and "reader-reviewed" in card["weights_origin"]
    after = Detector.load(out).detect(image, threshold=0.0)
    assert _score_near(after, TRUE_BOX) > _score_near(before, TRUE_BOX)
    assert _score_near(after, false_pos.box) < false_pos.score


@pytest.mark.slow
def test_retrain_with_original_films_scores_old_and_new_on_the_held_out_films(tmp_path):
    """Original MIAS films mixed in, two held-out films scored before and after; card records both."""
    from mammoviewer.detect import default_model_path

    mias_dir = MIAS
    if not default_model_path().is_file() or not (mias_dir / "Info.txt").is_file():
        pytest.skip("needs the bundled model and the MIAS data")
    store = _store_with(tmp_path, [Finding(image_key=str(SAMPLE), box=Box(*TRUE_BOX), label="malignant")])
    out = tmp_path / "m2"
    report = finetune(FinetuneConfig(store=str(store), model=None, out=str(out), images=str(mias_dir),
                                     holdout=["mdb001", "mdb002"], epochs=1, steps_per_epoch=2, batch_size=2,
                                     cache_dir=str(tmp_path / "cache")))
    assert report.heldout_films == ["mdb001", "mdb002"]
    assert report.before["images"] == 2 and report.after["images"] == 2
    # the bundled model was trained on patient 1: the check says so rather than calling it held out
    assert "trained on the patients of 2 of these 2 films" in report.bias
    card = json.loads((out / "model.json").read_text())
    assert card["retraining"]["heldout_patients"] == [1] and card["retraining"]["bias"] == report.bias
    assert 12 in card["training"]["train_patients"]  # mdb023's patient: the new model has seen it
    assert card["retraining"]["before"]["lesions"] == 2  # mdb001 and mdb002 each have one located finding
    r = card["retraining"]
    expected = (r["after"]["froc"]["1"] >= r["before"]["froc"]["1"] - 1e-9
                and r["after"]["map_voc"] >= r["before"]["map_voc"] - 1e-9)
    assert r["not_worse"] is expected and report.not_worse is expected


def test_not_worse_needs_both_sensitivity_and_map_to_hold():
    from mammoviewer.detect.finetune import FinetuneReport

    def report(before, after):
        return FinetuneReport(Path("m"), before, after, reviewed_films=1, truth_boxes=1, hard_negatives=0)

    base = {"froc": {"1": 0.5}, "map_voc": 0.10}
    assert report(base, {"froc": {"1": 0.5}, "map_voc": 0.10}).not_worse  # equal is not worse
    assert report(base, {"froc": {"1": 0.6}, "map_voc": 0.12}).not_worse
    assert not report(base, {"froc": {"1": 0.4}, "map_voc": 0.20}).not_worse
    assert not report(base, {"froc": {"1": 0.7}, "map_voc": 0.05}).not_worse

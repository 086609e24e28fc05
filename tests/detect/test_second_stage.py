"""The second stage: its candidates and features, the re-scoring, and the detector running it from its card."""

import json
import shutil

import numpy as np
import pytest

from mammoviewer.detect import second_stage as st
from mammoviewer.detect.logistic import LogisticRule
from tests.detect.test_calc_clusters import CLUSTER, _film

from shared_paths import MIAS

FILM = MIAS / "mdb219.png"


def _rule(**weights) -> LogisticRule:
    w = tuple(float(weights.get(f, 0.0)) for f in st.FEATURES)
    n = len(st.FEATURES)
    return LogisticRule(st.FEATURES, (0.0,) * n, (1.0,) * n, w, 0.0)


def _candidates():
    film = _film()
    ssd_boxes = np.array([[280, 180, 330, 230], [20, 20, 80, 80], [400, 300, 440, 340]], float)
    return film, st.candidates(film, (0.2, 0.2), None, ssd_boxes, np.array([2, 1, 1]), np.array([0.4, 0.2, 0.05]))


def test_candidates_are_the_ssd_boxes_then_the_clusters_with_their_features():
    film, c = _candidates()
    assert c.features.shape == (len(c.boxes), len(st.FEATURES))
    assert list(c.is_cluster) == [False] * 3 + [True] * (len(c.boxes) - 3) and c.is_cluster.sum() == 1
    f = dict(zip(st.FEATURES, c.features.T))
    assert f["ssd_logit"][0] == pytest.approx(np.log(0.4 / 0.6))
    assert f["gap_to_best"][0] == 0 and np.all(f["gap_to_best"] <= 0)
    assert f["log_rank"][0] == 0 and f["log_rank"][1] == pytest.approx(np.log(2))
    assert f["log_side_mm"][1] == pytest.approx(np.log(60 * 0.2))
    # the cluster lies inside the first SSD box: it takes that box's score and class
    assert c.ssd_scores[3] == pytest.approx(0.4) and c.classes[3] == 2
    assert np.exp(f["log_specks"][0]) - 1 >= len(CLUSTER) - 1 and f["log_specks"][1] == 0


def test_a_cluster_outside_every_ssd_box_takes_the_lowest_score_and_benign():
    film = _film()
    c = st.candidates(film, (0.2, 0.2), None, np.array([[20, 20, 80, 80.0]]), np.array([2]), np.array([0.3]))
    assert c.is_cluster[-1] and c.ssd_scores[-1] == pytest.approx(0.3) and c.classes[-1] == 1
    none = st.candidates(film, (0.2, 0.2), None, np.zeros((0, 4)), np.zeros(0, int), np.zeros(0))
    assert none.is_cluster.all() and len(none.boxes) == 1
    off = st.candidates(film, (0.2, 0.2), None, np.zeros((0, 4)), np.zeros(0, int), np.zeros(0), clusters=False)
    assert len(off.boxes) == 0 and off.features.shape == (0, len(st.FEATURES))


def test_blob_contrast_is_positive_on_a_bright_square():
    film = np.full((100, 100), 0.3, np.float32)
    film[40:60, 40:60] = 0.8
    c = st.blob_contrast(film, np.array([[40, 40, 60, 60], [0, 0, 20, 20.0]]))
    assert c[0] > 0.3 and abs(c[1]) < 1e-6


def test_rescore_orders_by_the_rule_drops_nests_and_caps():
    _, c = _candidates()
    b, cls, s = st.rescore(c, _rule(log_specks=3.0), containment=0.7, max_detections=100)
    assert list(s) == sorted(s, reverse=True) and np.all((s > 0) & (s < 1))
    # the speckled SSD box wins; the cluster box inside it is a nest and goes
    assert np.allclose(b[0], [280, 180, 330, 230]) and len(b) == 3
    b, _, s = st.rescore(c, _rule(is_cluster=5.0), containment=None, max_detections=2)
    assert len(b) == 2 and c.is_cluster[np.flatnonzero((c.boxes == b[0]).all(1))[0]]


@pytest.mark.skipif(not FILM.is_file(), reason="shared MIAS data not present")
def test_the_detector_runs_the_second_stage_of_its_card(tmp_path):
    from mammoviewer.detect import Detector, default_model_path
    from mammoviewer.io import load_image

    src = default_model_path().parent
    shutil.copyfile(src / "model.keras", tmp_path / "model.keras")
    card = json.loads((src / "model.json").read_text())
    card.pop("second_stage", None)
    (tmp_path / "model.json").write_text(json.dumps(card))
    plain = Detector.load(tmp_path, device="cpu")
    image = load_image(FILM)
    first = plain.detect(image)
    card["second_stage"] = {**_rule(is_cluster=6.0, ssd_logit=1.0).to_dict(), "clusters": True}
    (tmp_path / "model.json").write_text(json.dumps(card))
    det = Detector.load(tmp_path, device="cpu")
    found = det.detect(image)
    assert det.second_stage is not None and det.last_input.rendered is None  # the rendering is not held on to
    assert 0 < len(found) <= 100 and [d.score for d in found] == sorted((d.score for d in found), reverse=True)
    boxes = np.array([d.box for d in found])
    assert not any(np.allclose(boxes[0], d.box) for d in first)  # a speck cluster came first
    assert all(d.score >= 0.5 for d in det.detect(image, threshold=0.5))
    card["second_stage"]["features"] = ["nothing"]
    (tmp_path / "model.json").write_text(json.dumps(card))
    from mammoviewer.errors import DetectorError

    with pytest.raises(DetectorError, match="model.keras: second-stage rule is for features"):
        Detector.load(tmp_path, device="cpu")

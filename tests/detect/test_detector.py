"""The public detector API on the bundled model."""

import threading
from dataclasses import FrozenInstanceError
from pathlib import Path

import cv2
import numpy as np
import pytest

from mammoviewer.detect import Detection, DetectionCancelled, Detector, default_model_path
from mammoviewer.errors import DetectorError
from mammoviewer.io.image import Image

from shared_paths import MIAS

FILM = MIAS / "mdb023.png"
pytestmark = [
    pytest.mark.skipif(not default_model_path().is_file(), reason="bundled model not present"),
    pytest.mark.skipif(not FILM.is_file(), reason="shared MIAS data not present"),
]


@pytest.fixture(scope="module")
def detector():
    return Detector.load(device="cpu")


def _film(scale: int = 1) -> Image:
    px = cv2.imread(str(FILM), cv2.IMREAD_GRAYSCALE)
    if scale != 1:
        px = cv2.resize(px, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    return Image(path=f"mdb023 x{scale}", format="png", pixels=px, bits_stored=8,
                 pixel_spacing_mm=(0.2 / scale, 0.2 / scale))


def test_attributes(detector):
    assert detector.name == "idbll-light" and detector.version
    assert detector.device == "CPU" and detector.pixel_size_mm == detector.card["pixel_mm"] > 0
    assert 0.0 < detector.default_threshold < 1.0


def test_detections_are_frozen_records_in_the_film_frame(detector):
    found = detector.detect(_film(), threshold=0.0)
    assert 0 < len(found) <= 100 and all(isinstance(d, Detection) for d in found)
    with pytest.raises(FrozenInstanceError):
        found[0].score = 1.0  # type: ignore[misc]
    assert [d.score for d in found] == sorted((d.score for d in found), reverse=True)
    assert all(0 <= d.box[0] < d.box[2] <= 1024 and 0 <= d.box[1] < d.box[3] <= 1024 for d in found)
    kept = detector.detect(_film(), threshold=0.3)
    assert kept == [d for d in found if d.score >= 0.3][: len(kept)]


def test_boxes_follow_the_pixel_spacing(detector):
    """The same film at 0.1 mm (2048 px) gives the same findings at twice the coordinates."""
    a = detector.detect(_film(1), threshold=0.05)
    b = detector.detect(_film(2), threshold=0.05)
    assert len(a) == len(b) and len(a) > 0
    np.testing.assert_allclose(np.array([d.box for d in b]), 2 * np.array([d.box for d in a]), atol=1e-3)
    assert [d.label for d in a] == [d.label for d in b]


def test_cancel_event_stops_detection(detector):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DetectionCancelled, match="cancelled"):
        detector.detect(_film(), cancel=cancel)


def test_load_errors_are_detector_errors(tmp_path):
    with pytest.raises(DetectorError, match="model file not found"):
        Detector.load(tmp_path / "nothing")
    (tmp_path / "model.keras").write_bytes(b"not a zip")
    (tmp_path / "model.json").write_text('{"pixel_mm": 0.4, "anchors": {}}')
    with pytest.raises(DetectorError, match="cannot load the model"):
        Detector.load(tmp_path, device="cpu")
    with pytest.raises(DetectorError, match="unknown device"):
        Detector.load(device="tpu")


def test_mirror_averaging_gives_the_same_findings_on_a_film_and_its_mirror_image(detector):
    """With left-right test-time flips the detector is exactly mirror-equivariant."""
    film = _film()
    mirrored = Image(path="mirrored", format="png", pixels=np.ascontiguousarray(film.pixels[:, ::-1]), bits_stored=8,
                     pixel_spacing_mm=film.pixel_spacing_mm)
    shipped = detector.tta
    assert shipped == ("hflip",)  # the bundled card turns the mirror pass on
    try:
        detector.tta = ()
        plain = detector.detect(film, threshold=0.05)
        detector.tta = ("hflip",)
        a = detector.detect(film, threshold=0.05)
        b = detector.detect(mirrored, threshold=0.05)
    finally:
        detector.tta = shipped
    assert a and [round(d.score, 4) for d in a] != [round(d.score, 4) for d in plain]
    width = film.pixels.shape[1]
    assert len(a) == len(b)
    for d in a:  # each finding on the film has its mirror image among the findings on the mirrored film
        assert any(abs((width - e.box[2]) - d.box[0]) < 0.5 and abs(e.box[1] - d.box[1]) < 0.5
                   and abs(e.score - d.score) < 1e-3 and e.label == d.label for e in b), d


def test_an_unknown_test_time_flip_in_the_card_is_refused(tmp_path):
    import json
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(default_model_path().parent, folder)
    card = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(dict(card, tta=["rot90"])))
    with pytest.raises(DetectorError, match="unknown test-time augmentation"):
        Detector.load(folder, device="cpu")


def test_findings_do_not_nest_when_the_card_asks_for_containment(detector):
    from mammoviewer.detect.postprocess import containment_suppression

    limit = detector.card.get("containment")
    if limit is None:
        pytest.skip("the bundled card keeps nested boxes")
    found = detector.detect(_film(), threshold=0.0)
    boxes = np.array([d.box for d in found])
    assert len(found) > 3 and detector.post.containment == limit
    assert containment_suppression(boxes, limit).tolist() == list(range(len(found)))  # nothing left to drop


def _card_variant(tmp_path, **changes) -> Path:
    import json
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(default_model_path().parent, folder)
    card = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps(dict(card, **changes)))
    return folder


def test_scales_merge_the_findings_of_each_scale(tmp_path):
    from mammoviewer.detect.postprocess import merge_scales

    film = _film()
    multi = Detector.load(_card_variant(tmp_path, scales=[1.0, 1.25]), device="cpu")
    single = Detector.load(multi.path.parent, device="cpu")
    single.scales = (1.0,)
    parts = []
    for pixel_mm in (multi.pixel_size_mm, multi.pixel_size_mm / 1.25):
        single.pixel_size_mm = pixel_mm
        first = single.first_stage(film)
        parts.append((first.boxes, first.classes, first.scores))
    boxes, classes, scores = merge_scales(parts, multi.post)
    found = multi.detect(film, threshold=0.0)
    assert len(found) == len(scores) > 3
    np.testing.assert_allclose([d.score for d in found], scores, rtol=1e-6)
    np.testing.assert_allclose([d.box for d in found], boxes, rtol=1e-6)
    # the second scale adds findings of its own: not all come from the first
    assert not np.all(np.isin(scores, parts[0][2]))
    assert multi.last_input.height == film.rows  # the first scale's input is the one kept


def test_bad_scales_in_the_card_are_refused(tmp_path):
    with pytest.raises(DetectorError, match="'scales' is \\[0, 1\\]"):
        Detector.load(_card_variant(tmp_path, scales=[0, 1]), device="cpu")

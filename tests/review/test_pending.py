"""``record_pending``: a ``detect --json`` entry stored as the viewer stores a model run."""

from pathlib import Path

import pytest

from mammoviewer.review import ReviewStore, SetStatus
from mammoviewer.review.keys import image_key
from mammoviewer.review.pending import record_pending

ENTRY = {"path": "films/mdb001.png", "width": 1024, "height": 1000, "seconds": 0.1,
         "findings": [{"box": [10.0, 20.0, 50.5, 60.25], "label": "malignant", "score": 0.9},
                      {"box": [5.0, 5.0, 5.0, 9.0], "label": "benign", "score": 0.5},
                      {"box": [100.0, 200.0, 150.0, 260.0], "label": "benign", "score": 0.4}]}


@pytest.fixture
def store(tmp_path: Path):
    s = ReviewStore.open(tmp_path / "review.sqlite")
    yield s
    s.close()


def test_findings_are_pending_model_findings_of_the_film(store):
    found = record_pending(store, ENTRY, "idbll-light", "1.3", 0.3, pixel_spacing_mm=0.2)
    key = image_key("films/mdb001.png")
    assert key == str(Path("films/mdb001.png").absolute())
    image = store.image(key)
    assert (image.width, image.height, image.pixel_spacing_mm, image.review_state) == (1024, 1000, 0.2, "unreviewed")
    stored = store.findings(key)
    assert stored == found and len(stored) == 2  # the box rounded to zero width is dropped
    assert [(f.box.as_tuple(), f.label, f.score) for f in stored] == \
        [((10.0, 20.0, 50.5, 60.25), "malignant", 0.9), ((100.0, 200.0, 150.0, 260.0), "benign", 0.4)]
    assert {(f.source, f.status, f.model_name, f.model_version, f.edited) for f in stored} == \
        {("model", "pending", "idbll-light", "1.3", False)}
    assert stored[0].original_box == stored[0].box and stored[0].original_score == 0.9
    assert store.model_runs(key)[0] | {"time": None} == {
        "model_name": "idbll-light", "model_version": "1.3", "time": None, "threshold": 0.3, "n_findings": 2}


def test_a_second_run_replaces_untouched_findings_and_keeps_reviewed_ones(store):
    first = record_pending(store, ENTRY, "idbll-light", "1.3", 0.3)
    key = first[0].image_key
    from mammoviewer.review import CommandStack, ReviewDocument

    doc = ReviewDocument.open(store, key)
    CommandStack(doc).push(SetStatus(first[0].id, "accepted"))
    store.set_review_state(key, "in progress")
    again = record_pending(store, dict(ENTRY, width=10, height=10), "idbll-light", "1.3", 0.3)
    ids = {f.id for f in store.findings(key)}
    assert first[0].id in ids and first[1].id not in ids and {f.id for f in again} <= ids
    image = store.image(key)
    assert (image.width, image.review_state) == (1024, "in progress")  # a known film keeps its details
    assert len(store.model_runs(key)) == 2


def test_an_error_entry_records_nothing(store):
    assert record_pending(store, {"path": "x.png", "error": "x.png: no such file"}, "m", "1", 0.3) == []
    assert store.images() == [] and store.findings() == []

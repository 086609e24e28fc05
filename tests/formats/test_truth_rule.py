"""Exports hold the reader's truth: pending model candidates only when asked for, and marked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mammoviewer.formats import export_store, import_coco
from mammoviewer.review import Box, Finding, FindingChange, ImageRecord, ReviewStore
from mammoviewer.review.truth import is_truth

KEY_NAME = "f.png"


@pytest.fixture
def store(tmp_path: Path):
    """One film: 50 pending model candidates, one accepted (moved) model finding, one rejected,
    one reader-drawn box and one imported label."""
    films = tmp_path / "films"
    films.mkdir()
    (films / KEY_NAME).write_bytes(b"")
    key = str(films / KEY_NAME)
    s = ReviewStore.open(tmp_path / "s.sqlite")
    s.add_image(ImageRecord(key=key, width=512, height=512, review_state="reviewed"))
    model = s.record_model_findings(key, "idbll", "1", [
        Finding(image_key=key, box=Box(i * 8, 0, i * 8 + 6, 6), label="benign", score=0.1 + i / 100)
        for i in range(52)
    ])
    accepted, rejected = model[-1], model[-2]
    s.apply(FindingChange("move", accepted, accepted.replace(box=Box(300, 300, 340, 340), status="accepted")))
    s.apply(FindingChange("set status", rejected, rejected.replace(status="rejected")))
    s.apply(FindingChange("add", None, Finding(image_key=key, box=Box(10, 100, 30, 120), label="malignant",
                                               source="reader", status="accepted")))
    s.replace_findings(key, "import", [Finding(image_key=key, box=Box(50, 200, 90, 240), label="benign",
                                               source="import")], "import")
    yield s
    s.close()


def _coco(store, out, **kw):
    export_store(store, "coco", out, **kw)
    return json.loads(out.read_text())["annotations"]


def test_default_export_is_the_reader_truth_only(store, tmp_path):
    anns = _coco(store, tmp_path / "c.json")
    statuses = sorted(a["status"] for a in anns)
    assert statuses == ["accepted", "accepted", "accepted"]  # rejected ones only with include_rejected
    rejected = [a for a in _coco(store, tmp_path / "r.json", include_rejected=True) if a["status"] == "rejected"]
    assert [a["category_id"] for a in rejected] == [3]
    boxes = sorted(tuple(a["bbox"]) for a in anns if a["status"] == "accepted")
    assert boxes == [(10, 100, 20, 20), (50, 200, 40, 40), (300, 300, 40, 40)]  # the edit is kept
    for fmt, out in (("yolo", tmp_path / "y"), ("voc", tmp_path / "v")):
        s = export_store(store, fmt, out)
        assert (s.findings, s.rejected, s.pending) == (3, 0, 0)  # never the rejected ones
    assert len((tmp_path / "y" / "labels" / "f.txt").read_text().splitlines()) == 3
    mias_rows = (export_store(store, "mias", tmp_path / "m.txt").paths[0]).read_text().splitlines()
    assert len(mias_rows) == 3


def test_reviewed_only_still_leaves_pending_candidates_out(store, tmp_path):
    s = export_store(store, "csv", tmp_path / "r.csv", reviewed_only=True)
    assert (s.images, s.findings, s.pending) == (1, 3, 0)


def test_include_pending_adds_the_candidates_marked_as_such(store, tmp_path):
    anns = _coco(store, tmp_path / "c.json", include_pending=True)
    assert sum(a["status"] == "pending" for a in anns) == 50
    assert all(a["attributes"]["source"] == "model" for a in anns if a["status"] == "pending")
    s = export_store(store, "csv", tmp_path / "p.csv", include_pending=True, include_rejected=True)
    assert (s.findings, s.pending, s.rejected) == (53, 50, 1)
    with open(tmp_path / "p.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted({r["status"] for r in rows}) == ["accepted", "pending", "rejected"]
    assert sum(r["status"] == "pending" for r in rows) == 50


def test_pending_candidates_come_back_as_candidates_not_truth(store, tmp_path):
    out = tmp_path / "c.json"
    export_store(store, "coco", out, include_pending=True, include_rejected=True)
    other = ReviewStore.open(tmp_path / "other.sqlite")
    import_coco(other, out, tmp_path / "films")
    found = other.findings()
    assert sum(is_truth(f) for f in found) == 3
    pending = [f for f in found if f.source == "model" and f.status == "pending"]
    assert len(pending) == 50 and {f.model_name for f in pending} == {"idbll"}
    assert sum(f.status == "rejected" for f in found) == 1
    other.close()

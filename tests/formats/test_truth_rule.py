"""Exports hold the reader's truth: pending model candidates only when asked for, and marked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mammoviewer.errors import ExportError

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


# ---- which films are truth ----------------------------------------------------------------------------
def _films_store(tmp_path: Path) -> tuple[ReviewStore, dict[str, str]]:
    """mdb023 reviewed (a model box accepted, one moved, one rejected); mdb001 and mdb209 never reviewed
    (the model's candidates only); mdb005 in progress (one box drawn, one rejected); a CT marked reviewed."""
    s = ReviewStore.open(tmp_path / "films.sqlite")
    keys = {}
    for n, ref in enumerate(("mdb001", "mdb005", "mdb023", "mdb209", "ct"), start=1):
        keys[ref] = f"/films/{ref}.png"
        state = {"mdb023": "reviewed", "mdb005": "in progress", "ct": "reviewed"}.get(ref, "unreviewed")
        s.add_image(ImageRecord(key=keys[ref], width=1024, height=1024, review_state=state,
                                modality="CT" if ref == "ct" else None, content_hash=f"px1:{n}"))  # fmt: skip
        model = s.record_model_findings(keys[ref], "idbll", "1", [
            Finding(image_key=keys[ref], box=Box(100 * i, 100, 100 * i + 50, 150), label="benign", score=0.5)
            for i in range(1, 4)])  # fmt: skip
        if ref in ("mdb023", "mdb005", "ct"):
            s.apply(FindingChange("reject", model[2], model[2].replace(status="rejected")))
        if ref in ("mdb023", "ct"):
            s.apply(FindingChange("accept", model[0], model[0].replace(status="accepted")))
        if ref == "mdb005":
            s.apply(FindingChange("add", None, Finding(image_key=keys[ref], box=Box(5, 5, 30, 30), label="malignant")))
    return s, keys


def test_films_nobody_reviewed_are_never_normal_and_not_truth(tmp_path):
    from mammoviewer.review import CommandStack, MoveFinding, ReviewDocument

    s, keys = _films_store(tmp_path)
    doc = ReviewDocument.open(s, keys["mdb023"])
    moved = next(f for f in doc.findings if f.status == "pending")
    CommandStack(doc).push(MoveFinding(moved.id, moved.box, Box(600, 600, 680, 690)))  # the reader's correction
    summary = export_store(s, "mias", tmp_path / "m.txt")
    rows = (tmp_path / "m.txt").read_text().splitlines()
    assert rows == ["mdb023 ? MISC B 125 899 25", "mdb023 ? MISC B 640 379 45"]  # accepted, and the moved one
    assert not any("NORM" in r for r in rows)  # mdb001, mdb209: never reviewed, so never "normal"
    assert summary.not_reviewed == 3 and summary.left_out == [f"{keys['ct']}: left out, Modality CT, not a mammogram (MG)"]
    export_store(s, "yolo", tmp_path / "y")
    assert sorted(p.name for p in (tmp_path / "y" / "labels").iterdir()) == ["mdb023.txt"]
    assert len((tmp_path / "y" / "labels" / "mdb023.txt").read_text().splitlines()) == 2  # accepted + moved
    doc = json.loads(export_store(s, "coco", tmp_path / "c.json").paths[0].read_text())
    assert [im["file_name"] for im in doc["images"]] == ["mdb023.png"]
    s.close()


def test_include_in_progress_adds_the_readers_decisions_marked_and_only_where_said(tmp_path):
    s, keys = _films_store(tmp_path)
    out = tmp_path / "c.json"
    summary = export_store(s, "coco", out, include_in_progress=True)
    doc = json.loads(out.read_text())
    assert [(im["file_name"], im["film_status"]) for im in doc["images"]] == [
        ("mdb005.png", "in progress"), ("mdb023.png", "reviewed")]  # never the films with candidates only
    by_image = {im["id"]: im["file_name"] for im in doc["images"]}
    assert [(by_image[a["image_id"]], a["status"]) for a in doc["annotations"]] == [
        ("mdb005.png", "accepted"), ("mdb023.png", "accepted")]  # decided findings; not the candidates
    assert (summary.images, summary.in_progress, summary.not_reviewed) == (2, 1, 2)
    for fmt in ("mias", "yolo", "voc"):
        with pytest.raises(ExportError, match=f"--include-in-progress: {fmt} cannot mark a film"):
            export_store(s, fmt, tmp_path / f"x.{fmt}", include_in_progress=True)
    for fmt in ("yolo", "voc"):
        with pytest.raises(ExportError, match=f"--include-rejected: {fmt} never writes rejected"):
            export_store(s, fmt, tmp_path / f"r.{fmt}", include_rejected=True)
    s.close()


def test_one_film_under_two_names_with_two_truths_is_refused_naming_both(tmp_path):
    import cv2
    import numpy as np

    from mammoviewer.review.identity import content_hash

    films = tmp_path / "films"
    films.mkdir()
    pixels = np.random.default_rng(3).integers(0, 256, (32, 32), dtype=np.uint8)
    cv2.imwrite(str(films / "mdb209.pgm"), pixels)
    cv2.imwrite(str(films / "mdb209.png"), pixels)
    s = ReviewStore.open(tmp_path / "two.sqlite")
    pgm, png = str(films / "mdb209.pgm"), str(films / "mdb209.png")
    s.add_image(ImageRecord(key=pgm, width=32, height=32, review_state="reviewed", content_hash=content_hash(pixels)))
    s.add_image(ImageRecord(key=png, width=32, height=32, review_state="reviewed"))  # an older record: no hash
    s.apply(FindingChange("add", None, Finding(image_key=pgm, box=Box(1, 1, 9, 9), label="malignant")))
    for fmt, out in (("coco", tmp_path / "c.json"), ("yolo", tmp_path / "y"), ("mias", tmp_path / "m.txt")):
        with pytest.raises(ExportError) as err:
            export_store(s, fmt, out)
        assert str(err.value) == (f"{pgm} and {png} are the same film (identical pixels) and both would be exported "
                                  "as truth; leave one of them out (mark it \"in progress\" and export without "
                                  "--include-in-progress) and export again")
        assert not out.exists()
    s.set_review_state(png, "in progress")
    assert export_store(s, "coco", tmp_path / "c.json").images == 1
    s.close()


def test_a_film_in_progress_with_nothing_to_write_is_not_listed_as_lesion_free(tmp_path):
    s, keys = _films_store(tmp_path)
    key = keys["mdb005"]
    drawn = next(f for f in s.findings(key) if f.source == "reader")
    s.apply(FindingChange("delete", drawn, None))  # only a rejected model box is left on the film in progress
    doc = json.loads(export_store(s, "coco", tmp_path / "a.json", include_in_progress=True).paths[0].read_text())
    assert "mdb005.png" not in [im["file_name"] for im in doc["images"]]  # no annotations would read as normal
    doc = json.loads(export_store(s, "coco", tmp_path / "b.json", include_in_progress=True,
                                  include_rejected=True).paths[0].read_text())  # fmt: skip
    (im,) = [im for im in doc["images"] if im["file_name"] == "mdb005.png"]
    assert im["film_status"] == "in progress"
    assert [a["category_id"] for a in doc["annotations"] if a["image_id"] == im["id"]] == [3]
    s.close()

from __future__ import annotations

import json
from pathlib import Path

from mammoviewer.formats import export_store
from mammoviewer.review import ReviewStore


def test_only_reviewed_films_are_truth_and_reviewed_only_is_the_default(small_store: ReviewStore,
                                                                         tmp_path: Path) -> None:  # fmt: skip
    s = export_store(small_store, "coco", tmp_path / "all.json")
    assert (s.images, s.findings, s.rejected, s.not_reviewed) == (2, 2, 0, 1)
    s = export_store(small_store, "coco", tmp_path / "rev.json", reviewed_only=True, include_rejected=True)
    assert (s.images, s.findings, s.rejected) == (2, 2, 1)
    doc = json.loads((tmp_path / "rev.json").read_text())
    assert [im["file_name"] for im in doc["images"]] == ["a.png", "b.png"]
    small_store.set_review_state("/films/a.png", "in progress")
    s = export_store(small_store, "yolo", tmp_path / "y", reviewed_only=True)
    assert s.images == 1 and [p.name for p in (tmp_path / "y" / "labels").iterdir()] == ["b.txt"]

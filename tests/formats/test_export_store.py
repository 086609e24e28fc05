from __future__ import annotations

import json
from pathlib import Path

from mammoviewer.formats import export_store
from mammoviewer.review import ReviewStore


def test_reviewed_only_keeps_reviewed_images(small_store: ReviewStore, tmp_path: Path) -> None:
    s = export_store(small_store, "coco", tmp_path / "all.json")
    assert (s.images, s.findings, s.rejected) == (2, 2, 1)
    s = export_store(small_store, "coco", tmp_path / "rev.json", reviewed_only=True)
    assert (s.images, s.findings, s.rejected) == (1, 2, 1)
    doc = json.loads((tmp_path / "rev.json").read_text())
    assert [im["file_name"] for im in doc["images"]] == ["a.png"]
    small_store.set_review_state("/films/a.png", "in progress")
    s = export_store(small_store, "yolo", tmp_path / "y", reviewed_only=True)
    assert s.images == 0 and list((tmp_path / "y" / "labels").iterdir()) == []

from __future__ import annotations

import csv
from pathlib import Path

from mammoviewer.formats import export_store
from mammoviewer.review import ReviewStore

from .conftest import A_KEY, C_KEY


def test_csv_has_one_row_per_finding_with_status_and_review_state(small_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    export_store(small_store, "csv", out)
    assert [r["status"] for r in csv.DictReader(out.open(newline=""))] == ["accepted", "accepted"]  # truth only
    export_store(small_store, "csv", out, include_rejected=True)
    rows = list(csv.DictReader(out.open(newline="")))
    assert [r["status"] for r in rows] == ["accepted", "accepted", "rejected"]  # truth first (a drawn box is truth), then rejected
    assert {r["film_status"] for r in rows} == {"reviewed"}  # c.png is in progress: left out
    kept = rows[0]
    assert (kept["image"], kept["x0"], kept["y0"], kept["x1"], kept["y1"]) == ("/films/a.png", "20.0", "10.0", "60.0", "30.0")
    assert (kept["label"], kept["finding_type"], kept["score"], kept["source"]) == ("benign", "mass", "", "reader")
    assert (kept["review_state"], kept["note"]) == ("reviewed", "round")
    rej = rows[2]
    assert (rej["label"], rej["score"], rej["source"], rej["model_name"]) == ("malignant", "0.25", "model", "idbll")
    ids = {f.id for f in small_store.findings() if f.image_key != C_KEY}
    assert {r["finding_id"] for r in rows} == ids


def test_in_progress_films_only_when_asked_and_marked(small_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    s = export_store(small_store, "csv", out, include_in_progress=True)
    rows = list(csv.DictReader(out.open(newline="")))
    assert [(r["image"], r["status"], r["film_status"]) for r in rows] == [
        (A_KEY, "accepted", "reviewed"), (A_KEY, "accepted", "reviewed"), (C_KEY, "accepted", "in progress")]
    assert (s.images, s.in_progress, s.not_reviewed) == (3, 1, 0)

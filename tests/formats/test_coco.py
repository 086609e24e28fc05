from __future__ import annotations

import json
from pathlib import Path

import pytest

from mammoviewer.errors import ExportError
from mammoviewer.formats import COCO_CATEGORY_IDS, export_store, import_coco
from mammoviewer.formats.selection import export_status
from mammoviewer.review import ReviewStore

from .conftest import A_KEY


def test_coco_golden_boxes_categories_and_attributes(small_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "coco.json"
    export_store(small_store, "coco", out)
    doc = json.loads(out.read_text())
    assert doc["categories"] == [
        {"id": 1, "name": "benign", "supercategory": "lesion"},
        {"id": 2, "name": "malignant", "supercategory": "lesion"},
    ]
    assert COCO_CATEGORY_IDS == {"benign": 1, "malignant": 2}
    a, b = doc["images"]  # c.png is in progress: not truth yet
    assert (a["file_name"], a["path"], a["width"], a["height"], a["review_state"], a["film_status"]) == (
        "a.png", A_KEY, 200, 100, "reviewed", "reviewed")
    assert b["file_name"] == "b.png"
    anns = doc["annotations"]
    assert [x["image_id"] for x in anns] == [a["id"]] * 2  # the rejected model finding is no lesion
    kept, edge = anns
    assert kept["bbox"] == [20.0, 10.0, 40.0, 20.0] and kept["area"] == 800.0
    assert kept["category_id"] == 1 and "score" not in kept
    assert kept["attributes"]["status"] == "accepted" and kept["attributes"]["finding_type"] == "mass"


def test_rejected_findings_only_when_asked_and_as_their_own_category(small_store: ReviewStore,
                                                                     tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "coco.json"
    export_store(small_store, "coco", out, include_rejected=True)
    doc = json.loads(out.read_text())
    assert doc["categories"][2] == {"id": 3, "name": "rejected", "supercategory": "hard negative"}
    kept, edge, rejected = doc["annotations"]  # kept first, then rejected
    assert rejected["category_id"] == 3 and rejected["score"] == 0.25 and rejected["status"] == "rejected"
    assert rejected["attributes"]["label"] == "malignant" and rejected["attributes"]["source"] == "model"
    assert rejected["attributes"]["model_name"] == "idbll"
    # and back: a rejected finding again, with its label, never a lesion
    films = tmp_path / "films"
    films.mkdir()
    for im in doc["images"]:
        (films / im["file_name"]).write_bytes(b"")
    with ReviewStore.open(tmp_path / "back.mvstore") as s:
        import_coco(s, out, films)
        back = sorted((export_status(f), f.label) for f in s.findings())
    assert back == [("accepted", "benign"), ("accepted", "malignant"), ("rejected", "malignant")]


def test_coco_boxes_land_where_the_mias_circles_are(mini_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "coco.json"
    export_store(mini_store, "coco", out)
    doc = json.loads(out.read_text())
    name = {im["id"]: im["file_name"] for im in doc["images"]}
    got = sorted((name[a["image_id"]], a["bbox"], a["attributes"]["mias_class"]) for a in doc["annotations"])
    # MIAS (x, y from bottom, r) -> COCO [x - r, 1024 - y - r, 2r, 2r]
    assert got == sorted([
        ("mdb001.png", [338.0, 402.0, 394.0, 394.0], "CIRC"),  # 535 425 197
        ("mdb005.png", [447.0, 861.0, 60.0, 60.0], "CIRC"),  # 477 133 30
        ("mdb005.png", [474.0, 830.0, 52.0, 52.0], "CIRC"),  # 500 168 26
        ("mdb144.png", [204.0, 1.0, 58.0, 58.0], "MISC"),  # 233 994 29
        ("mdb144.png", [286.0, 457.0, 54.0, 54.0], "MISC"),  # 313 540 27
    ])  # fmt: skip


def test_coco_round_trip_keeps_boxes_labels_types_and_unlocated_rows(
    mini_store: ReviewStore, mini_mias: tuple[Path, Path], tmp_path: Path
) -> None:
    export_store(mini_store, "coco", tmp_path / "coco.json")
    with ReviewStore.open(tmp_path / "again.mvstore") as s:
        summary = import_coco(s, tmp_path / "coco.json", mini_mias[1])
        assert summary.images == 6 and summary.findings == 5
        key = lambda f: (f.image_key, f.box.as_tuple())  # noqa: E731
        mine = sorted(mini_store.findings(), key=key)
        theirs = sorted(s.findings(), key=key)
        assert [(f.image_key, f.box, f.label, f.finding_type, f.status, f.attributes) for f in theirs] == [
            (f.image_key, f.box, f.label, f.finding_type, f.status, f.attributes) for f in mine
        ]
        assert all(f.source == "import" and f.original_box == f.box for f in theirs)
        export_store(s, "mias", tmp_path / "mias.txt")
    from .conftest import MINI_INFO_ROWS

    assert (tmp_path / "mias.txt").read_text().splitlines() == MINI_INFO_ROWS


def _coco(tmp_path: Path, **over) -> Path:
    doc = {"images": [{"id": 1, "file_name": "x.png", "width": 10, "height": 10}],
           "annotations": [{"id": 7, "image_id": 1, "category_id": 3, "bbox": [1, 1, 2, 2]}],
           "categories": [{"id": 3, "name": "cyst"}]}  # fmt: skip
    doc.update(over)
    p = tmp_path / "c.json"
    p.write_text(json.dumps(doc))
    (tmp_path / "x.png").write_bytes(b"")
    return p


def test_coco_import_errors_name_the_file_and_problem(tmp_path: Path) -> None:
    with ReviewStore.open(tmp_path / "s.mvstore") as s:
        with pytest.raises(ExportError, match=r"c\.json: annotation 7 has category 'cyst'"):
            import_coco(s, _coco(tmp_path), tmp_path)
        with pytest.raises(ExportError, match="malformed COCO"):
            import_coco(s, _coco(tmp_path, categories=[{"id": 3, "name": "benign"}],
                                 annotations=[{"id": 1, "image_id": 1, "category_id": 3, "bbox": [1, 1, 0, 2]}]),
                        tmp_path)  # fmt: skip
        (tmp_path / "bad.json").write_text("{nope")
        with pytest.raises(ExportError, match=r"bad\.json: not valid JSON"):
            import_coco(s, tmp_path / "bad.json", tmp_path)
        with pytest.raises(ExportError, match="cannot read"):
            import_coco(s, tmp_path / "missing.json", tmp_path)

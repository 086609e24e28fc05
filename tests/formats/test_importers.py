from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from mammoviewer.errors import ExportError
from mammoviewer.formats.importers import image_size, import_mias
from mammoviewer.review import Box, FindingChange, ReviewStore


def test_mias_import_keeps_every_row(mini_store: ReviewStore, mini_mias: tuple[Path, Path]) -> None:
    images = {Path(i.key).stem: i for i in mini_store.images()}
    assert sorted(images) == ["mdb001", "mdb003", "mdb005", "mdb059", "mdb144", "mdb216"]
    assert all(Path(k).is_absolute() and i.width == i.height == 1024 for k, i in
               ((i.key, i) for i in images.values()))  # fmt: skip
    assert images["mdb001"].pixel_spacing_mm == 0.2
    assert images["mdb001"].metadata == {"mias_ref": "mdb001", "mias_tissue": "G"}
    assert mini_store.findings(images["mdb003"].key) == []  # NORM
    (f,) = mini_store.findings(images["mdb001"].key)
    assert f.box == Box(338, 402, 732, 796) == f.original_box
    assert (f.label, f.finding_type, f.source, f.status, f.attributes) == (
        "benign", "mass", "import", "pending", {"mias_class": "CIRC"})
    b, m = mini_store.findings(images["mdb144"].key)
    assert (b.label, m.label) == ("benign", "malignant")
    for ref, raw in (("mdb059", "mdb059 F CIRC B"), ("mdb216", "mdb216 D CALC M *NOTE 3* ")):
        assert mini_store.findings(images[ref].key) == []
        assert images[ref].metadata["mias_unlocated_rows"] == [raw]
        assert raw.strip() in images[ref].note
    assert [c.action for c in mini_store.corrections(images["mdb005"].key)] == ["import add"] * 2


def test_reimport_replaces_untouched_and_keeps_reader_edits(
    mini_store: ReviewStore, mini_mias: tuple[Path, Path]
) -> None:
    key = next(i.key for i in mini_store.images() if i.key.endswith("mdb005.png"))
    first, second = mini_store.findings(key)
    accepted = first.replace(status="accepted")
    mini_store.apply(FindingChange("accept", first, accepted))
    mini_store.set_review_state(key, "reviewed")
    summary = import_mias(mini_store, *mini_mias)
    now = mini_store.findings(key)
    assert summary.findings == 5 and len(now) == 3  # the accepted one stays beside the re-import
    assert accepted in now and second not in now
    assert mini_store.image(key).review_state == "reviewed"


def test_missing_films_are_reported_not_fatal(mini_mias: tuple[Path, Path], tmp_path: Path) -> None:
    info, images = mini_mias
    (images / "mdb003.png").unlink()
    with ReviewStore.open(tmp_path / "s.mvstore") as s:
        summary = import_mias(s, info, images)
        assert summary.missing == ["mdb003"] and summary.images == 5
        with pytest.raises(ExportError, match="images folder does not exist"):
            import_mias(s, info, tmp_path / "nowhere")
        with pytest.raises(ExportError, match=r"nope\.txt: cannot read"):
            import_mias(s, tmp_path / "nope.txt", images)


def test_image_size_from_png_and_pgm_headers(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((30, 70), np.uint16))
    assert image_size(tmp_path / "a.png") == (70, 30)
    (tmp_path / "b.pgm").write_bytes(b"P5\n# CREATOR: GIMP PNM Filter Version 1.1\n1024 768\n255\n" + bytes(10))
    assert image_size(tmp_path / "b.pgm") == (1024, 768)
    (tmp_path / "c.png").write_bytes(b"junk")
    with pytest.raises(ExportError, match=r"c\.png: cannot read image size"):
        image_size(tmp_path / "c.png")


def test_image_size_of_real_mias_pgm(shared_mias: Path) -> None:
    pgm = shared_mias / "pgm" / "mdb001.pgm"
    if not pgm.exists():
        pytest.skip("MIAS PGM sample absent")
    assert image_size(pgm) == (1024, 1024)


def test_a_failed_import_changes_nothing(tmp_path):
    """A COCO file whose second image has a bad annotation: the first image is not left behind."""
    import json

    from mammoviewer.errors import ExportError
    from mammoviewer.formats.importers import import_coco
    from mammoviewer.review import ReviewStore

    films = tmp_path / "films"
    films.mkdir()
    for name in ("a.png", "b.png"):
        (films / name).write_bytes(b"")
    doc = {"images": [{"id": 1, "file_name": "a.png", "width": 10, "height": 10},
                      {"id": 2, "file_name": "b.png", "width": 10, "height": 10}],
           "categories": [{"id": 1, "name": "benign"}, {"id": 7, "name": "cyst"}],
           "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2]},
                           {"id": 2, "image_id": 2, "category_id": 7, "bbox": [1, 1, 2, 2]}]}
    (tmp_path / "c.json").write_text(json.dumps(doc))
    store = ReviewStore.open(tmp_path / "s.sqlite")
    with pytest.raises(ExportError, match="cyst"):
        import_coco(store, tmp_path / "c.json", films)
    assert store.images() == [] and store.findings() == []
    store.close()

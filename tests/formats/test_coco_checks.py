"""COCO import refuses bad boxes, absurd nesting and file names outside --images, naming file and value."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mammoviewer.errors import ExportError
from mammoviewer.formats import import_coco
from mammoviewer.review import ReviewStore


def _coco(folder: Path, bbox=None, file_name="a.png", **image) -> Path:
    import cv2

    folder.mkdir(exist_ok=True)
    cv2.imwrite(str(folder / "a.png"), np.zeros((100, 200), np.uint8))
    doc = {"images": [{"id": 1, "file_name": file_name, "width": 200, "height": 100, **image}],
           "annotations": [] if bbox is None else [{"id": 7, "image_id": 1, "category_id": 1, "bbox": bbox}],
           "categories": [{"id": 1, "name": "benign"}]}
    (folder / "c.json").write_text(json.dumps(doc))
    return folder / "c.json"


@pytest.mark.parametrize("bbox, problem", [
    ([500, 500, 10, 10], "lies outside its 200x100 image"),
    ([-50, -50, 10, 10], "lies outside its 200x100 image"),
    ([1, 1, 0, 5], "has no area"),
    (["a", 1, 2, 3], "holds a value that is not a number"),
    ([True, 1, 2, 3], "holds a value that is not a number"),
    ([1, 2, 3], r"is not a list \[x, y, width, height\]"),
    ({"x": 1}, r"is not a list"),
    ([1e308, 1, 1e308, 3], "is not finite"),
])
def test_bad_box_names_the_annotation_and_the_value(tmp_path, bbox, problem):
    coco = _coco(tmp_path / "imgs", bbox)
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        with pytest.raises(ExportError, match=rf"c\.json: malformed COCO file: annotation 7 bbox .* {problem}"):
            import_coco(store, coco, tmp_path / "imgs")


def test_box_partly_outside_is_kept(tmp_path):
    coco = _coco(tmp_path / "imgs", [190, 90, 30, 30])
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        assert import_coco(store, coco, tmp_path / "imgs").findings == 1


def test_deeply_nested_json_is_refused_in_one_line(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        with pytest.raises(ExportError, match=r"deep\.json: JSON nested too deeply"):
            import_coco(store, tmp_path / "deep.json", tmp_path)


@pytest.mark.parametrize("name", ["../outside.png", "/etc/hostname"])
def test_file_name_outside_the_images_folder_is_refused(tmp_path, name):
    import cv2

    cv2.imwrite(str(tmp_path / "outside.png"), np.zeros((100, 200), np.uint8))
    coco = _coco(tmp_path / "imgs", file_name=name)
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        with pytest.raises(ExportError, match=rf"c\.json: image file_name '{name}' lies outside the images folder"):
            import_coco(store, coco, tmp_path / "imgs")
        assert store.images() == []


def test_wrong_image_size_types_are_refused(tmp_path):
    coco = _coco(tmp_path / "imgs", width="abc")
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        with pytest.raises(ExportError, match=r"image 'a.png' width x height 'abc' x 100 is not two positive"):
            import_coco(store, coco, tmp_path / "imgs")

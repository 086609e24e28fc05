"""Training sources: a MIAS folder, a boxes CSV and a COCO file, with errors naming the file and row."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pytest

from mammoviewer.detect.data import UNKNOWN_KIND, UNKNOWN_KIND_ID, joint_split, load_split
from mammoviewer.detect.sources import coco_films, csv_films, load_source, load_sources
from mammoviewer.errors import DetectorError


def _png(path, size=(64, 48)):
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full(size, 100, np.uint8))
    return path


def _csv(folder, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "boxes.csv").write_text(text)
    return folder / "boxes.csv"


def test_csv_groups_rows_into_films_with_patients_labels_and_normal_films(tmp_path):
    for name in ("a/1.png", "a/2.png", "b/3.png"):
        _png(tmp_path / "ds" / name)
    csv = _csv(tmp_path / "ds", "file,patient,view,x0,y0,x1,y1,label\n"
                                "a/1.png,P1,CC,1,2,11,12,malignant\n"
                                "a/1.png,P1,CC,20,20,30,40,\n"
                                "a/2.png,P1,MLO,5,5,9,9,benign\n"
                                "b/3.png,P2,CC,,,,,\n")
    films = {f.ref: f for f in csv_films(csv)}
    assert set(films) == {"a/1", "a/2", "b/3"}
    one = films["a/1"]
    assert one.patient == "P1" and one.domain == "ds" and one.view == "CC" and one.worst == "malignant"
    assert [l.box for l in one.lesions] == [(1.0, 2.0, 11.0, 12.0), (20.0, 20.0, 30.0, 40.0)]
    assert [l.label for l in one.lesions] == ["malignant", UNKNOWN_KIND]
    assert [l.class_id for l in one.lesions] == [2, UNKNOWN_KIND_ID]
    assert films["b/3"].lesions == () and films["b/3"].worst == "normal"
    assert load_source(tmp_path / "ds") == csv_films(csv)  # a folder holding boxes.csv


@pytest.mark.parametrize("text, message", [
    ("file,patient,x0,y0,x1\n", "row 1: missing column(s) y1"),
    ("file,patient,x0,y0,x1,y1\n1.png,P,1,2,abc,4\n", "row 2: x1 'abc' is not a number"),
    ("file,patient,x0,y0,x1,y1\n1.png,P,1,2,3,4\n1.png,P,5,5,1e999,9\n", "row 3: x1 '1e999' is not a finite"),
    ("file,patient,x0,y0,x1,y1\n1.png,P,9,2,3,4\n", "row 2: box [9.0, 2.0, 3.0, 4.0] has no area"),
    ("file,patient,x0,y0,x1,y1\nmissing.png,P,1,2,3,4\n", "row 2: image 'missing.png' not found"),
    ("file,patient,x0,y0,x1,y1\n../1.png,P,1,2,3,4\n", "row 2: file '../1.png' lies outside"),
    ("file,patient,x0,y0,x1,y1\n1.png,P,1,2,3,4\n1.png,Q,1,2,3,4\n", "row 3: '1.png' is listed for two patients"),
])
def test_csv_errors_name_the_file_and_the_row(tmp_path, text, message):
    _png(tmp_path / "ds" / "1.png")
    _png(tmp_path / "1.png")
    csv = _csv(tmp_path / "ds", text)
    import re

    with pytest.raises(DetectorError, match="boxes.csv: " + re.escape(message)):
        csv_films(csv)


def test_csv_patient_falls_back_to_the_dicom_patient_id(tmp_path):
    from shared_paths import DATA

    folder = tmp_path / "ds"
    folder.mkdir()
    shutil.copy(DATA / "mg_cbis_rcc_small_jpegls_ll.dcm", folder / "x.dcm")
    import pydicom

    pid = pydicom.dcmread(folder / "x.dcm", stop_before_pixels=True).PatientID
    films = csv_films(_csv(folder, "file,patient,x0,y0,x1,y1\nx.dcm,,1,1,5,5\n"))
    assert films[0].patient == pid and pid


def test_coco_keeps_only_the_readers_truth(tmp_path):
    _png(tmp_path / "c" / "i1.png")
    _png(tmp_path / "c" / "i2.png")
    doc = {
        "images": [{"id": 1, "file_name": "i1.png", "patient_id": "W1"}, {"id": 2, "file_name": "i2.png"},
                   {"id": 3, "file_name": "i2.png", "film_status": "in progress"}],
        "categories": [{"id": 1, "name": "benign"}, {"id": 2, "name": "malignant"}, {"id": 3, "name": "rejected"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 2, "bbox": [1, 2, 10, 20], "status": "accepted"},
            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [3, 3, 4, 4], "status": "pending"},
            {"id": 3, "image_id": 1, "category_id": 1, "bbox": [5, 5, 4, 4], "status": "rejected"},
            {"id": 4, "image_id": 2, "category_id": 3, "bbox": [5, 5, 4, 4]},
            {"id": 5, "image_id": 3, "category_id": 1, "bbox": [5, 5, 4, 4]},
        ],
    }
    (tmp_path / "c" / "coco.json").write_text(json.dumps(doc))
    listed = coco_films(tmp_path / "c" / "coco.json")
    assert len(listed) == 2  # the film not yet reviewed is left out
    films = {f.ref: f for f in listed}
    assert films["i1"].patient == "W1" and films["i2"].patient == "i2"
    assert [(l.box, l.label) for l in films["i1"].lesions] == [((1.0, 2.0, 11.0, 22.0), "malignant")]
    assert films["i2"].lesions == ()


@pytest.mark.parametrize("doc, message", [
    ({"images": "x"}, r"not a COCO detection file \(no \"images\" list\)"),
    ({"images": [{"id": 1, "file_name": "nope.png"}]}, r"images\[0\]: image 'nope.png' not found"),
    ({"images": [{"id": 1, "file_name": "i.png"}], "annotations": [{"image_id": 9, "bbox": [1, 1, 2, 2]}]},
     r"annotations\[0\]: image_id 9 is not among the images"),
    ({"images": [{"id": 1, "file_name": "i.png"}], "annotations": [{"image_id": 1, "bbox": [1, 1, 2]}]},
     r"annotations\[0\]: bbox must be"),
    ({"images": [{"id": 1, "file_name": "i.png"}],
      "annotations": [{"image_id": 1, "bbox": [1, 1, 10**400, 2]}]}, r"annotations\[0\]: width .* not a finite"),
])
def test_coco_errors_name_the_file_and_the_item(tmp_path, doc, message):
    _png(tmp_path / "i.png")
    path = tmp_path / "coco.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(DetectorError, match="coco.json: " + message):
        coco_films(path)


def test_sources_refuse_unknown_paths_and_duplicate_films(tmp_path):
    with pytest.raises(DetectorError, match="not found"):
        load_source(tmp_path / "nothing")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(DetectorError, match="not a data source"):
        load_source(tmp_path / "x.txt")
    _png(tmp_path / "ds" / "1.png")
    _csv(tmp_path / "ds", "file,patient,x0,y0,x1,y1\n1.png,P,1,2,3,4\n")
    with pytest.raises(DetectorError, match="also in"):
        load_sources([str(tmp_path / "ds"), str(tmp_path / "ds" / "boxes.csv")])


def test_joint_split_keeps_the_base_folds_and_never_splits_a_patient(tmp_path, tiny_mias):
    from mammoviewer.detect.data import make_split, mias_films

    mias = [f for f in mias_films(tiny_mias(tmp_path / "m"), tmp_path / "m" / "Info.txt")]
    base = make_split(mias, folds=2, seed=0)
    for k in range(12):
        for side in ("L", "R"):
            _png(tmp_path / "ds" / f"{k}{side}.png")
    rows = "".join(f"{k}{s}.png,P{k},1,1,5,5\n" for k in range(12) for s in ("L", "R"))
    other = csv_films(_csv(tmp_path / "ds", "file,patient,x0,y0,x1,y1\n" + rows))
    split = joint_split(mias + other, folds=2, seed=3, base=base)
    for old, new in zip(base["folds"], split["folds"]):
        assert set(old["films"]) <= set(new["films"])
    fold_of_patient: dict = {}
    for fold in split["folds"]:
        for ref in fold["films"]:
            f = next(x for x in mias + other if x.ref == ref)
            assert fold_of_patient.setdefault((f.domain, f.patient), fold["fold"]) == fold["fold"]
    assert sorted(len([r for r in f["films"] if not r.startswith("mdb")]) for f in split["folds"]) == [12, 12]
    path = tmp_path / "split.json"
    path.write_text(json.dumps(split))
    assert load_split(path)["folds"][1]["domains"]["ds"] == 12

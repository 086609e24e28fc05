"""Hostile MIAS and COCO label files: ``import`` refuses each in one line naming the file and the value
(exit 2, store unchanged), and what it does import can be exported again in every format."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from mammoviewer.cli import main


@pytest.fixture
def films(tmp_path: Path) -> Path:
    folder = tmp_path / "films"
    folder.mkdir()
    for name in ("mdb001.png", "mdb002.png"):
        cv2.imwrite(str(folder / name), np.full((1024, 1024), 7 if name == "mdb001.png" else 9, np.uint8))
    return folder


def _run(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().err.strip().splitlines()


def _import(capsys, tmp_path: Path, fmt: str, info: Path, films: Path) -> tuple[int, list[str]]:
    return _run(capsys, "import", "--store", str(tmp_path / "s.mvstore"), "--format", fmt, "--info", str(info),
                "--images", str(films))  # fmt: skip


def _store_findings(tmp_path: Path) -> int:
    from mammoviewer.review import ReviewStore

    if not (tmp_path / "s.mvstore").exists():
        return 0
    with ReviewStore.open(tmp_path / "s.mvstore", create=False) as s:
        return len(s.findings())


@pytest.mark.parametrize("row, problem", [
    ("mdb002 G CIRC B 1e21 425 30", "x '1e21' is not a finite number within ±1048576"),
    ("mdb002 G CIRC B 1.7e308 425 30", "x '1.7e308' is not a finite number"),
    ("mdb002 G CIRC B 535 425 1e-300", "radius '1e-300' is too small to mark an area"),
    ("mdb002 G CIRC B 535 425 1e308", "radius '1e308' is not a positive number up to 1048576"),
])  # fmt: skip
def test_a_mias_row_out_of_bounds_is_refused_in_one_line(tmp_path, films, capsys, row, problem):
    info = tmp_path / "Info.txt"
    info.write_text(f"mdb001 G CIRC B 535 425 30\n{row}\n", encoding="latin-1")
    code, err = _import(capsys, tmp_path, "mias", info, films)
    assert code == 2 and len(err) == 1 and f"{info}: line 2: {problem}" in err[0], err
    assert _store_findings(tmp_path) == 0  # not even the good first row


def _coco(tmp_path: Path, annotation: dict, file_name: str = "mdb001.png") -> Path:
    doc = {"images": [{"id": 1, "file_name": file_name, "width": 1024, "height": 1024, "review_state": "reviewed"}],
           "annotations": [{"id": 7, "image_id": 1, "category_id": 1, "bbox": [10, 10, 50, 50], **annotation}],
           "categories": [{"id": 1, "name": "benign"}]}  # fmt: skip
    path = tmp_path / "labels.json"
    text = json.dumps(doc)
    for token in ("__BIG__", "__INF__", "__E400__"):  # values json.dumps will not write
        text = text.replace(f'"{token}"', {"__BIG__": "9" * 400, "__INF__": "Infinity", "__E400__": "1e400"}[token])
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("annotation, problem", [
    ({"bbox": ["__BIG__", 10, 50, 50]}, "bbox [999"),
    ({"bbox": [10, 10, 1e12, 50]}, "reaches beyond ±1048576 pixels"),
    ({"score": "__INF__"}, "annotation 7 score inf is not a number from 0 to 1"),
    ({"score": "__E400__"}, "annotation 7 score inf is not a number from 0 to 1"),
    ({"score": 1.5}, "annotation 7 score 1.5 is not a number from 0 to 1"),
    ({"score": "0.5"}, "annotation 7 score '0.5' is not a number from 0 to 1"),
])  # fmt: skip
def test_a_coco_value_out_of_bounds_is_refused_in_one_line(tmp_path, films, capsys, annotation, problem):
    path = _coco(tmp_path, annotation)
    code, err = _import(capsys, tmp_path, "coco", path, films)
    assert code == 2 and len(err) == 1 and str(path) in err[0] and problem in err[0], err
    assert _store_findings(tmp_path) == 0


def test_a_name_mias_cannot_hold_is_named_by_export_mias(tmp_path, films, capsys):
    (films / "mdb001.png").rename(films / "café 1.png")
    path = _coco(tmp_path, {}, file_name="café 1.png")
    assert _import(capsys, tmp_path, "coco", path, films) == (0, [])
    out = tmp_path / "out.txt"
    code, err = _run(capsys, "export", "--store", str(tmp_path / "s.mvstore"), "--format", "mias", "--out", str(out))
    assert code == 2 and len(err) == 1, err
    assert "café 1.png: its MIAS reference (its file name) 'café 1' cannot be written" in err[0]
    assert not out.exists()
    for fmt, name in (("coco", "o.json"), ("csv", "o.csv")):  # the formats that can hold it still do
        assert _run(capsys, "export", "--store", str(tmp_path / "s.mvstore"), "--format", fmt, "--out",
                    str(tmp_path / name))[0] == 0  # fmt: skip
    assert json.loads((tmp_path / "o.json").read_text())["images"][0]["file_name"] == "café 1.png"


@pytest.mark.parametrize("fmt", ["mias", "coco"])
def test_a_named_pipe_given_as_the_labels_is_refused_not_waited_on(tmp_path, films, fmt):
    import os
    import subprocess
    import sys

    pipe = tmp_path / "labels"
    os.mkfifo(pipe)
    root = Path(__file__).resolve().parents[2]
    try:
        proc = subprocess.run([sys.executable, "-m", "mammoviewer", "import", "--store", str(tmp_path / "s.mvstore"),
                               "--format", fmt, "--info", str(pipe), "--images", str(films)], capture_output=True,
                              text=True, timeout=60, cwd=root, env=dict(os.environ, PYTHONPATH=str(root)))  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"import --format {fmt} waited on a named pipe")
    assert proc.returncode == 2 and f"{pipe}: is not a regular file" in proc.stderr, proc.stderr

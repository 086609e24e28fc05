"""``mammoviewer import`` / ``mammoviewer export`` end to end, and their one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from mammoviewer.cli import main

ROWS = ["mdb001 G CIRC B 535 425 197", "mdb003 D NORM ", "mdb216 D CALC M *NOTE 3* "]


@pytest.fixture
def films(tmp_path: Path) -> tuple[Path, Path]:
    images = tmp_path / "films"
    images.mkdir()
    for n, ref in enumerate(("mdb001", "mdb003", "mdb216"), start=1):
        film = np.zeros((1024, 1024), np.uint8)
        film[0, 0] = n  # three different films (an export refuses one film under two names)
        cv2.imwrite(str(images / f"{ref}.png"), film)
    info = tmp_path / "Info.txt"
    info.write_bytes(("preamble\r\n" + "".join(r + "\r\n" for r in ROWS)).encode("latin-1"))
    return info, images


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mammoviewer: error: "), err
    return err[0]


def test_import_then_export_every_format(films, tmp_path: Path, capsys) -> None:
    info, images = films
    store = tmp_path / "r.mvstore"
    assert main(["import", "--store", str(store), "--format", "mias", "--info", str(info), "--images", str(images)]) == 0
    assert "imported 3 images, 1 findings" in capsys.readouterr().out
    outs = {"mias": tmp_path / "o.txt", "coco": tmp_path / "o.json", "voc": tmp_path / "voc",
            "yolo": tmp_path / "yolo", "csv": tmp_path / "o.csv"}  # fmt: skip
    for fmt, out in outs.items():
        assert main(["export", "--store", str(store), "--format", fmt, "--out", str(out)]) == 0, fmt
        assert out.exists()
    assert outs["mias"].read_text().splitlines() == ROWS
    coco = json.loads(outs["coco"].read_text())
    assert coco["annotations"][0]["bbox"] == [338.0, 402.0, 394.0, 394.0]
    # COCO back into a fresh store, then MIAS again: same rows
    store2 = tmp_path / "r2.mvstore"
    assert main(["import", "--store", str(store2), "--format", "coco", "--info", str(outs["coco"]),
                 "--images", str(images)]) == 0  # fmt: skip
    assert main(["export", "--store", str(store2), "--format", "mias", "--out", str(tmp_path / "p.txt")]) == 0
    assert (tmp_path / "p.txt").read_text().splitlines() == ROWS
    assert main(["export", "--store", str(store), "--format", "csv", "--out", str(tmp_path / "r.csv"),
                 "--reviewed-only"]) == 0  # fmt: skip
    assert (tmp_path / "r.csv").read_text().count("\n") == 2  # the MIAS reading marks its films reviewed


def test_errors_are_one_line_and_exit_2(films, tmp_path: Path, capsys) -> None:
    info, images = films
    store = tmp_path / "r.mvstore"
    assert main(["export", "--store", str(store), "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 2
    assert "r.mvstore: no review store here" in _one_error_line(capsys)
    assert not store.exists()  # export never creates a store
    main(["import", "--store", str(store), "--format", "mias", "--info", str(info), "--images", str(images)])
    capsys.readouterr()
    assert main(["export", "--store", str(store), "--format", "pdf", "--out", str(tmp_path / "x")]) == 2
    assert "unknown export format 'pdf'" in _one_error_line(capsys)
    assert main(["import", "--store", str(store), "--format", "voc", "--info", str(info), "--images", str(images)]) == 2
    assert "unknown import format 'voc'" in _one_error_line(capsys)
    assert main(["export", "--store", str(store), "--format", "csv", "--out", str(tmp_path / "no" / "x.csv")]) == 2
    assert "does not exist" in _one_error_line(capsys)
    junk = tmp_path / "junk.mvstore"
    junk.write_text("not sqlite at all, just text" * 5)
    assert main(["export", "--store", str(junk), "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 2
    assert "junk.mvstore: not a review store" in _one_error_line(capsys)
    assert main(["import", "--store", str(store), "--format", "mias", "--info", str(tmp_path / "none.txt"),
                 "--images", str(images)]) == 2  # fmt: skip
    assert "none.txt: cannot read" in _one_error_line(capsys)


def test_console_script_prints_no_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "mammoviewer"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "mammoviewer"]
    r = subprocess.run(cmd + ["export", "--store", str(tmp_path / "none"), "--format", "coco", "--out",
                              str(tmp_path / "o.json")], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("mammoviewer: error: ") and len(r.stderr.strip().splitlines()) == 1


def test_export_writes_pending_candidates_only_when_asked(films, tmp_path: Path, capsys) -> None:
    from mammoviewer.review import Box, Finding, ReviewStore

    info, images = films
    store = tmp_path / "r.mvstore"
    assert main(["import", "--store", str(store), "--format", "mias", "--info", str(info), "--images", str(images)]) == 0
    key = str(images / "mdb003.png")
    with ReviewStore.open(store) as s:
        s.record_model_findings(key, "idbll", "1", [Finding(image_key=key, box=Box(i, i, i + 9, i + 9), label="benign",
                                                            score=0.2) for i in range(0, 300, 10)])
    capsys.readouterr()
    out = tmp_path / "a.json"
    assert main(["export", "--store", str(store), "--format", "coco", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("wrote 1 findings and 0 rejected on 3 images")
    assert [a["status"] for a in json.loads(out.read_text())["annotations"]] == ["accepted"]
    assert main(["export", "--store", str(store), "--format", "coco", "--out", str(out), "--include-pending"]) == 0
    assert capsys.readouterr().out.startswith("wrote 31 findings, 30 of them pending, and 0 rejected")
    assert sorted({a["status"] for a in json.loads(out.read_text())["annotations"]}) == ["accepted", "pending"]


def test_export_options_follow_the_truth_rule(films, tmp_path: Path, capsys) -> None:
    import shutil

    from mammoviewer.review import Box, Finding, FindingChange, ReviewStore

    info, images = films
    store = tmp_path / "r.mvstore"
    assert main(["import", "--store", str(store), "--format", "mias", "--info", str(info), "--images", str(images)]) == 0
    drawn = tmp_path / "more" / "drawn.png"
    drawn.parent.mkdir()
    cv2.imwrite(str(drawn), np.full((64, 64), 9, np.uint8))
    with ReviewStore.open(store) as s:  # a film the reader has begun: one box drawn, one model box rejected
        from mammoviewer.review import ImageRecord

        s.add_image(ImageRecord(key=str(drawn), width=64, height=64, review_state="in progress"))
        s.apply(FindingChange("add", None, Finding(image_key=str(drawn), box=Box(1, 1, 9, 9), label="benign")))
        (m,) = s.record_model_findings(str(drawn), "idbll", "1", [
            Finding(image_key=str(drawn), box=Box(20, 20, 30, 30), label="malignant", score=0.4)])
        s.apply(FindingChange("reject", m, m.replace(status="rejected")))
    capsys.readouterr()
    out = tmp_path / "a.json"
    assert main(["export", "--store", str(store), "--format", "coco", "--out", str(out), "--include-in-progress",
                 "--include-rejected"]) == 0  # fmt: skip
    assert capsys.readouterr().out.startswith("wrote 2 findings and 1 rejected on 4 images, 1 of them in progress")
    doc = json.loads(out.read_text())
    assert [c["name"] for c in doc["categories"]] == ["benign", "malignant", "rejected"]
    assert main(["export", "--store", str(store), "--format", "yolo", "--out", str(tmp_path / "y"),
                 "--include-in-progress"]) == 2  # fmt: skip
    assert "--include-in-progress: yolo cannot mark a film as not yet reviewed" in _one_error_line(capsys)
    # the same film under a second name, reviewed with another truth: refused in one line naming both
    twin = images / "twin.png"
    shutil.copy(images / "mdb001.png", twin)
    with ReviewStore.open(store) as s:
        from mammoviewer.review.identity import content_hash

        pixels = cv2.imread(str(twin), cv2.IMREAD_UNCHANGED)
        s.add_image(ImageRecord(key=str(twin), width=1024, height=1024, review_state="reviewed",
                                content_hash=content_hash(pixels)))  # fmt: skip
    assert main(["export", "--store", str(store), "--format", "mias", "--out", str(tmp_path / "m.txt")]) == 2
    line = _one_error_line(capsys)
    assert f"{images / 'mdb001.png'} and {twin} are the same film" in line

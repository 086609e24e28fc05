"""Atomic writes: a failure mid-export leaves no partial output and keeps the previous one."""

from __future__ import annotations

from pathlib import Path

import pytest

from mammoviewer.errors import ExportError
from mammoviewer.formats import coco, export_store, mias, voc, yolo
from mammoviewer.formats.atomic import MARKER
from mammoviewer.review import ReviewStore


class Boom(RuntimeError):
    pass


def _fail_on_call(n: int, real):
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= n:
            raise Boom("disk trouble")
        return real(*args, **kwargs)

    return wrapper


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "fmt,module,name,out_name",
    [("coco", coco, "annotation", "c.json"), ("mias", mias, "finding_row", "m.txt"),
     ("voc", voc, "xml", "voc"), ("yolo", yolo, "lines", "yolo")],
)  # fmt: skip
def test_failure_mid_export_leaves_nothing_behind(
    small_store: ReviewStore, tmp_path: Path, monkeypatch, fmt, module, name, out_name
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    monkeypatch.setattr(module, name, _fail_on_call(2, getattr(module, name)))
    with pytest.raises(Boom):
        export_store(small_store, fmt, folder / out_name)
    assert _listing(folder) == []  # no output, no temporary file or folder


@pytest.mark.parametrize("fmt,out_name", [("csv", "f.csv"), ("mias", "m.txt"), ("yolo", "yolo")])
def test_failure_keeps_the_previous_export_intact(
    small_store: ReviewStore, tmp_path: Path, monkeypatch, fmt, out_name
) -> None:
    out = tmp_path / out_name
    export_store(small_store, fmt, out)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "mvstore" not in p.name}
    import csv as csv_module

    monkeypatch.setattr(csv_module, "writer", _fail_on_call(1, csv_module.writer))
    monkeypatch.setattr(mias, "finding_row", _fail_on_call(1, mias.finding_row))
    monkeypatch.setattr(yolo, "lines", _fail_on_call(1, yolo.lines))
    with pytest.raises(Boom):
        export_store(small_store, fmt, out)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "mvstore" not in p.name}
    assert after == before


def test_re_export_replaces_an_earlier_export_folder(small_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "yolo"
    export_store(small_store, "yolo", out)
    (out / "labels" / "stale.txt").write_text("old")
    export_store(small_store, "yolo", out)
    assert not (out / "labels" / "stale.txt").exists() and (out / MARKER).exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_refuses_to_replace_a_folder_that_is_not_an_export(small_store: ReviewStore, tmp_path: Path) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    with pytest.raises(ExportError, match=r"thesis: folder exists and is not a MammoViewer export"):
        export_store(small_store, "voc", precious)
    assert _listing(precious) == ["chapter1.tex"]
    empty = tmp_path / "empty"
    empty.mkdir()
    export_store(small_store, "voc", empty)  # an empty folder is fine
    assert (empty / "a.xml").exists()


def test_bad_destinations_are_clear_export_errors(small_store: ReviewStore, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export_store(small_store, "csv", tmp_path / "no" / "f.csv")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is not a folder"):
        export_store(small_store, "csv", tmp_path / "file" / "f.csv")
    with pytest.raises(ExportError, match="is a folder"):
        export_store(small_store, "coco", tmp_path)
    with pytest.raises(ExportError, match="unknown export format 'tfrecord'"):
        export_store(small_store, "tfrecord", tmp_path / "x")


def test_images_sharing_a_name_are_refused_for_per_image_formats(small_store: ReviewStore, tmp_path: Path) -> None:
    from mammoviewer.review import ImageRecord

    small_store.add_image(ImageRecord(key="/other/a.png", width=10, height=10, review_state="reviewed"))
    with pytest.raises(ExportError, match="both named 'a'"):
        export_store(small_store, "yolo", tmp_path / "y")
    assert not (tmp_path / "y").exists()


@pytest.mark.parametrize("mask,file_mode,dir_mode", [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_exports_follow_the_users_umask(small_store: ReviewStore, tmp_path: Path, mask, file_mode, dir_mode) -> None:
    import os
    import stat

    old = os.umask(mask)
    try:
        export_store(small_store, "coco", tmp_path / "c.json")
        export_store(small_store, "mias", tmp_path / "m.txt")
        export_store(small_store, "yolo", tmp_path / "y")
    finally:
        os.umask(old)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert [mode(tmp_path / n) for n in ("c.json", "m.txt", "m_rejected.txt")] == [file_mode] * 3
    assert mode(tmp_path / "y") == dir_mode and mode(tmp_path / "y" / "labels" / "a.txt") == file_mode

"""An export never writes over its own store or a file that is not an export of ours, and a previous
export is replaced in one step: a kill at any moment of the swap leaves one whole export, and the next
export finishes or rolls back what a killed one left."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mammoviewer.cli import main
from mammoviewer.errors import ExportError
from mammoviewer.formats import export_store
from mammoviewer.formats.atomic import MARKER, finish_interrupted, roll_back_interrupted
from mammoviewer.formats.mias import rejected_path
from mammoviewer.review import FindingChange, ReviewStore

ROOT = Path(__file__).resolve().parents[2]

#: ``mammoviewer export`` killed with SIGKILL right after the atomic module's first rename or swap
_KILLED = """
import os, signal, sys
from mammoviewer.formats import atomic
real_replace = atomic.os.replace
def replace_then_die(*a, **k):
    real_replace(*a, **k)
    if not str(a[0]).endswith(".part"):  # a journal being put in place is not yet a replacement
        os.kill(os.getpid(), signal.SIGKILL)
class Os:
    def __getattr__(self, name): return getattr(os, name)
atomic.os = Os()
atomic.os.replace = replace_then_die
if hasattr(atomic, "exchange"):
    real_exchange = atomic.exchange
    def exchange_then_die(a, b):
        if sys.argv[1] == "no-swap" or not real_exchange(a, b):
            return False
        os.kill(os.getpid(), signal.SIGKILL)
    atomic.exchange = exchange_then_die
from mammoviewer.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _killed_export(store: Path, fmt: str, out: Path, swap: str = "swap") -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _KILLED, swap, "export", "--store", str(store), "--format", fmt,
                           "--out", str(out)], capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
    assert proc.returncode == -9, proc.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def store_file(small_store: ReviewStore) -> Path:
    return Path(small_store.path)


def _reject_all(store_file: Path) -> None:
    with ReviewStore.open(store_file, create=False) as s:
        for img in s.images():
            for f in s.findings(img.key):
                if f.status != "rejected":
                    s.apply(FindingChange("set status", f, f.replace(status="rejected")))


@pytest.mark.parametrize("fmt", ["coco", "csv", "mias"])
def test_export_refuses_to_write_over_its_own_store(small_store: ReviewStore, store_file: Path, fmt, capsys):
    small_store.close()
    before = store_file.read_bytes()
    assert main(["export", "--store", str(store_file), "--format", fmt, "--out", str(store_file)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is the review store being exported" in err[0] and str(store_file) in err[0], err
    assert store_file.read_bytes() == before
    with ReviewStore.open(store_file, create=False) as s:
        assert len(s.findings("/films/a.png")) == 3


def test_export_refuses_a_file_that_is_not_an_export_of_ours(small_store: ReviewStore, tmp_path: Path) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "thesis"}')
    with pytest.raises(ExportError, match=r"notes.json: exists and is not a MammoViewer export"):
        export_store(small_store, "coco", notes)
    other_db = tmp_path / "other.csv"
    sqlite3.connect(other_db).execute("create table t (x)").connection.commit()
    with pytest.raises(ExportError, match=r"other.csv: exists and is a database"):
        export_store(small_store, "csv", other_db)
    side = tmp_path / "m_rejected.txt"  # MIAS's side file is checked too
    side.write_text("shopping list\n")
    with pytest.raises(ExportError, match=r"m_rejected.txt: exists and is not a MammoViewer export"):
        export_store(small_store, "mias", tmp_path / "m.txt")
    assert notes.read_text() == '{"my": "thesis"}' and side.read_text() == "shopping list\n"
    assert not (tmp_path / "m.txt").exists()
    for fmt, name in (("coco", "c.json"), ("csv", "c.csv"), ("mias", "m2.txt")):  # our own: replaced
        export_store(small_store, fmt, tmp_path / name)
        export_store(small_store, fmt, tmp_path / name)
    (tmp_path / "empty.json").touch()
    export_store(small_store, "coco", tmp_path / "empty.json")


@pytest.mark.parametrize("fmt", ["voc", "yolo"])
def test_a_folder_export_killed_during_the_swap_keeps_one_whole_export(
    small_store: ReviewStore, store_file: Path, tmp_path: Path, fmt
) -> None:
    out = tmp_path / "exports" / fmt
    out.parent.mkdir()
    export_store(small_store, fmt, out)
    small_store.close()
    previous = _files(out)
    _reject_all(store_file)
    with ReviewStore.open(store_file, create=False) as s:
        export_store(s, fmt, tmp_path / "expected")
    expected = _files(tmp_path / "expected")
    assert expected != previous
    _killed_export(store_file, fmt, out)
    assert out.is_dir() and (out / MARKER).exists()
    assert _files(out) == expected  # the swap was one step: the new export, whole
    with ReviewStore.open(store_file, create=False) as s:
        export_store(s, fmt, out)  # the next export sweeps what the killed one left
    assert _leftovers(out.parent) == [] and _files(out) == expected


def test_where_folders_cannot_be_swapped_the_next_export_rolls_a_cut_one_back(
    small_store: ReviewStore, store_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exports" / "voc"
    out.parent.mkdir()
    export_store(small_store, "voc", out)
    small_store.close()
    previous = _files(out)
    _reject_all(store_file)
    _killed_export(store_file, "voc", out, swap="no-swap")  # killed between the two renames
    assert roll_back_interrupted(out) == [out]
    assert _files(out) == previous  # the previous export is back, whole
    assert not [n for n in _leftovers(out.parent) if ".old-" in n]
    with ReviewStore.open(store_file, create=False) as s:
        export_store(s, "voc", out)
    assert _leftovers(out.parent) == []


def test_a_mias_export_killed_between_its_two_files_is_completed_by_the_next(
    small_store: ReviewStore, store_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "exports" / "m.txt"
    out.parent.mkdir()
    export_store(small_store, "mias", out)
    small_store.close()
    _reject_all(store_file)
    with ReviewStore.open(store_file, create=False) as s:
        export_store(s, "mias", tmp_path / "want.txt")
    want = ((tmp_path / "want.txt").read_text(), rejected_path(tmp_path / "want.txt").read_text())
    assert want != (out.read_text(), rejected_path(out).read_text())
    _killed_export(store_file, "mias", out)
    assert finish_interrupted(out) == [rejected_path(out)]
    assert (out.read_text(), rejected_path(out).read_text()) == want  # in step again
    assert _leftovers(out.parent) == []


def test_a_journal_cut_while_written_is_dropped(small_store: ReviewStore, tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    out = tmp_path / "m.txt"
    part = tmp_path / f".m.txt.{dead}.journal.part"
    part.write_text('{"moves": [["/etc/x", "/etc/y"]')
    export_store(small_store, "mias", out)
    assert not part.exists() and out.exists()

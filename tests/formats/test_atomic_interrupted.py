"""An export that fails or is stopped midway leaves no temporary file behind, and one that was killed
outright has its temporaries swept by the next export."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mammoviewer.formats import export_store
from mammoviewer.formats.atomic import remove_stale_temporaries
from mammoviewer.formats.importers import import_mias

ROOT = Path(__file__).resolve().parents[2]

#: runs ``mammoviewer export`` with the first write cut short: RLIMIT_FSIZE (EFBIG midway) or SIGTERM
_CHILD = """
import os, resource, signal, sys
how = sys.argv[1]
real_open = open
class Cut:
    def __init__(self, f): self.f = f
    def __getattr__(self, name): return getattr(self.f, name)
    def __enter__(self): return self
    def __exit__(self, *a): self.f.close()
    def write(self, text):
        self.f.write(text[: len(text) // 2]); self.f.flush()
        if how == "term":
            os.kill(os.getpid(), signal.SIGTERM)
        raise OSError(27, "File too large")
import builtins, pathlib
def cut_open(file, mode="r", *a, **k):
    f = real_open(file, mode, *a, **k)
    return Cut(f) if ".tmp" in str(file) and "w" in mode else f
builtins.open = cut_open
pathlib.Path.write_text = lambda self, data, encoding=None, errors=None, newline=None: cut_open(self, "w").write(data)
from mammoviewer.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def store_path(tmp_path, mini_mias):
    from mammoviewer.review import ReviewStore

    info, images = mini_mias
    path = tmp_path / "s.mvstore"
    with ReviewStore.open(path) as store:
        import_mias(store, info, images)
    return path


def _temporaries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.endswith(".tmp") or ".tmp" in p.name)


@pytest.mark.parametrize("how, code", [("fail", 2), ("term", 128 + signal.SIGTERM)])
@pytest.mark.parametrize("fmt", ["coco", "csv", "mias", "voc", "yolo"])
def test_a_write_cut_midway_leaves_no_temporary(tmp_path, store_path, fmt, how, code):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _CHILD, how, "export", "--store", str(store_path),
                           "--format", fmt, "--out", str(out_dir / f"x.{fmt}")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == code, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert _temporaries(out_dir) == []
    assert list(out_dir.iterdir()) == []  # nothing half-written in the target's place either


def test_temporaries_of_a_killed_export_are_swept(tmp_path, store_path):
    from mammoviewer.review import ReviewStore

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale_file = tmp_path / f".x.json.{dead}.abc123.tmp"
    stale_file.write_text("half")
    stale_dir = tmp_path / f".voc.{dead}.def456.tmp"
    stale_dir.mkdir()
    mine = tmp_path / f".x.json.{os.getpid()}.ghi789.tmp"  # a running process's: kept
    mine.write_text("being written")
    with ReviewStore.open(store_path) as store:
        export_store(store, "coco", tmp_path / "x.json")
        export_store(store, "voc", tmp_path / "voc")
    assert not stale_file.exists() and not stale_dir.exists() and mine.exists()
    assert remove_stale_temporaries(tmp_path / "x.json") == []

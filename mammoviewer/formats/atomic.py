"""Atomic writes for the exporters: files and folders appear whole or not at all."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mammoviewer.errors import ExportError

#: File that marks a folder as written by a MammoViewer export (only such folders are replaced).
MARKER = ".mammoviewer-export"


def fsync_dir(path: Path) -> None:
    """Make a folder's new entries (a rename, a new file) durable; a no-op where the OS does not allow it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_parent(out: Path) -> None:
    if not out.parent.exists():
        raise ExportError(f"{out}: folder {out.parent} does not exist")
    if not out.parent.is_dir():
        raise ExportError(f"{out}: {out.parent} is not a folder")
    if not os.access(out.parent, os.W_OK):
        raise ExportError(f"{out}: folder {out.parent} is not writable")


def _tmp_prefix(target: Path) -> str:
    """``.NAME.PID.``: a temporary file names its target and the process that writes it."""
    return f".{target.name}.{os.getpid()}."


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete temporaries of ``target`` left by export processes that no longer run (killed mid-write)."""
    removed = []
    prefix = f".{target.name}."
    for tmp in target.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid = tmp.name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


@contextmanager
def atomic_files(paths: list[Path]) -> Iterator[list[Path]]:
    """Yield temporary paths beside ``paths``; on success each replaces its target, else none does."""
    for p in paths:
        _check_parent(p)
        if p.is_dir():
            raise ExportError(f"{p}: is a folder; give a file name")
    tmps: list[Path] = []
    try:
        for p in paths:
            remove_stale_temporaries(p)
            fd, name = tempfile.mkstemp(prefix=_tmp_prefix(p), suffix=".tmp", dir=p.parent)
            os.close(fd)
            tmps.append(Path(name))
        yield tmps
        for t in tmps:
            with open(t, "rb+") as fh:
                os.fsync(fh.fileno())
        for t, p in zip(tmps, paths):
            os.replace(t, p)
        fsync_dir(paths[0].parent)
    except OSError as exc:
        raise ExportError(f"{paths[0]}: cannot write ({exc.strerror or exc})") from exc
    finally:
        for t in tmps:
            t.unlink(missing_ok=True)


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``out``; on success it becomes ``out``.

    An existing ``out`` is replaced only if it is empty or an earlier MammoViewer export
    (it holds the marker file); anything else is refused, so a typo never wipes a folder.
    """
    _check_parent(out)
    if out.exists():
        if not out.is_dir():
            raise ExportError(f"{out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ExportError(f"{out}: folder exists and is not a MammoViewer export; choose a new folder")
    try:
        remove_stale_temporaries(out)
        tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(out), suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    old: Path | None = None
    try:
        yield tmp
        (tmp / MARKER).write_text("written by mammoviewer export\n", encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except OSError as exc:
        if old is not None and old.exists() and not out.exists():
            os.replace(old, out)
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

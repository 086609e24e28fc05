"""Atomic writes for the exporters: files and folders appear whole or not at all.

A folder export replaces the previous one in one step (Linux ``renameat2(RENAME_EXCHANGE)``);
where the system cannot swap two folders, the previous one is moved aside to ``.NAME.old-PID``
and an export killed between the two renames is rolled back by the next one. Several files
replaced together (MIAS and its ``_rejected`` side file) are listed in a journal,
``.NAME.PID.journal``, before the first is replaced: the next export to them finishes the job,
so they never stay out of step. Only empty files and earlier exports of ours are replaced.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mammoviewer.errors import ExportError

#: File that marks a folder as written by a MammoViewer export (only such folders are replaced).
MARKER = ".mammoviewer-export"
#: what a single-file export of ours holds near its start (COCO: its info; CSV: its header); a MIAS
#: export holds only MIAS rows
_COCO_MARK, _CSV_HEADER = b'"description": "MammoViewer', b"image,x0,y0,x1,y1,label,"
_SQLITE = b"SQLite format 3\0"
_MIAS_CLASSES = (b"CALC", b"CIRC", b"SPIC", b"MISC", b"ARCH", b"ASYM", b"NORM")


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


def user_umask() -> int:
    """The process's file-creation mask (read without changing it where Linux tells it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _tmp_prefix(target: Path) -> str:
    """``.NAME.PID.``: a temporary file names its target and the process that writes it."""
    return f".{target.name}.{os.getpid()}."


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete temporaries of ``target`` left by export processes that no longer run (killed mid-write)."""
    removed = []
    prefix = f".{target.name}."
    for tmp in target.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        pid = tmp.name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or process_running(int(pid)):
            continue
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def process_running(pid: int) -> bool:
    """True while process ``pid`` runs (or exists under another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def is_our_export(path: Path) -> bool:
    """True if the file at ``path`` is empty or was written by one of our single-file exports."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if not head.strip():
        return True
    if head.startswith(_CSV_HEADER) or (head.lstrip().startswith(b"{") and _COCO_MARK in head):
        return True
    lines = head.split(b"\n")
    lines = lines[:-1] if len(head) == 4096 else lines  # the last may be cut
    return all(not ln.strip() or _mias_row(ln) for ln in lines)


def _mias_row(line: bytes) -> bool:
    """A MIAS row as our export writes it: ``REF TISSUE CLASS ...`` with a MIAS class third."""
    fields = line.split()
    return len(fields) >= 3 and fields[2] in _MIAS_CLASSES


def check_replaceable(path: Path) -> None:
    """ExportError unless ``path`` is absent, empty or an earlier export of ours (never a store or a user's file)."""
    if not os.path.lexists(path):
        return
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name")
    if not path.is_file():
        raise ExportError(f"{path}: exists and is not a regular file; refused")
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_SQLITE))
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the existing file ({exc.strerror or exc})") from exc
    if head == _SQLITE:
        raise ExportError(f"{path}: exists and is a database (a review store?), not an export; "
                          "refused: choose a new file name")  # fmt: skip
    if not is_our_export(path):
        raise ExportError(f"{path}: exists and is not a MammoViewer export; refused: choose a new file name")


def _journal_glob(target: Path, suffix: str = ".journal") -> list[Path]:
    return sorted(target.parent.glob(f"{glob.escape(f'.{target.name}.')}*{suffix}"))


def finish_interrupted(target: Path) -> list[Path]:
    """Complete the replacements a killed export listed in its journal for ``target``; the files it finished."""
    done: list[Path] = []
    for part in _journal_glob(target, ".journal.part"):  # killed while writing its journal: nothing replaced yet
        pid = part.name[len(target.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not process_running(int(pid)):
            part.unlink(missing_ok=True)
    for journal in _journal_glob(target):
        pid = journal.name[len(target.name) + 2:].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or process_running(int(pid)):
            continue
        try:
            moves = json.loads(journal.read_text(encoding="utf-8"))["moves"]
        except (OSError, ValueError, KeyError, TypeError):
            moves = []  # written only whole (renamed into place), so this is not ours: drop it
        for tmp, final in moves:
            tmp_path, final_path = Path(tmp), Path(final)
            if tmp_path.parent != target.parent or final_path.parent != target.parent:
                continue  # a journal only ever names files beside it
            if tmp_path.is_file():
                os.replace(tmp_path, final_path)
                done.append(final_path)
        fsync_dir(target.parent)
        journal.unlink(missing_ok=True)
    return done


def _write_journal(paths: list[Path], tmps: list[Path]) -> Path:
    journal = paths[0].parent / f".{paths[0].name}.{os.getpid()}.journal"
    staging = journal.with_name(journal.name + ".part")
    with open(staging, "w", encoding="utf-8") as fh:
        json.dump({"moves": [[str(t), str(p)] for t, p in zip(tmps, paths)]}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(staging, journal)
    fsync_dir(journal.parent)
    return journal


@contextmanager
def atomic_files(paths: list[Path]) -> Iterator[list[Path]]:
    """Yield temporary paths beside ``paths``; on success each replaces its target, else none does.

    Several targets are replaced under a journal: if the process dies between two replacements,
    the next export to the same files completes them (:func:`finish_interrupted`).
    """
    for p in paths:
        _check_parent(p)
    tmps: list[Path] = []
    journal: Path | None = None
    try:
        for p in paths:
            finish_interrupted(p)
        for p in paths:
            check_replaceable(p)
        for p in paths:
            remove_stale_temporaries(p)
            fd, name = tempfile.mkstemp(prefix=_tmp_prefix(p), suffix=".tmp", dir=p.parent)
            os.close(fd)
            tmps.append(Path(name))
            os.chmod(name, 0o666 & ~user_umask())  # an export is the user's file, not a private temporary
        yield tmps
        for t in tmps:
            with open(t, "rb+") as fh:
                os.fsync(fh.fileno())
        if len(paths) > 1:
            journal = _write_journal(paths, tmps)
        for t, p in zip(tmps, paths):
            os.replace(t, p)
        fsync_dir(paths[0].parent)
        if journal is not None:
            journal.unlink()
            journal = None
    except OSError as exc:
        raise ExportError(f"{paths[0]}: cannot write ({exc.strerror or exc})") from exc
    finally:
        if journal is None:  # else a replacement failed midway: the journal and its files finish it next time
            for t in tmps:
                t.unlink(missing_ok=True)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def _renameat2() -> object | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux ``renameat2``); False where the system cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:  # type: ignore[operator]
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _aside(out: Path, pid: int) -> Path:
    return out.parent / f".{out.name}.old-{pid}"


def roll_back_interrupted(out: Path) -> list[Path]:
    """Undo exports of ``out`` killed between moving the previous one aside and moving the new one in:
    the previous one comes back (or, where the new one made it, the previous one is dropped)."""
    prefix = f".{out.name}.old-"
    restored = []
    for old in out.parent.glob(f"{glob.escape(prefix)}*"):
        pid = old.name[len(prefix):]
        if not pid.isdigit() or int(pid) == os.getpid() or process_running(int(pid)):
            continue
        if os.path.lexists(out):
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, out)
            restored.append(out)
    return restored


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``out``; on success it becomes ``out``, in one step.

    An existing ``out`` is replaced only if it is empty or an earlier MammoViewer export
    (it holds the marker file); anything else is refused, so a typo never wipes a folder.
    """
    _check_parent(out)
    try:
        roll_back_interrupted(out)
    except OSError as exc:
        raise ExportError(f"{out}: cannot restore the previous export ({exc.strerror or exc})") from exc
    if out.exists():
        if not out.is_dir():
            raise ExportError(f"{out}: exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ExportError(f"{out}: folder exists and is not a MammoViewer export; choose a new folder")
    try:
        remove_stale_temporaries(out)
        tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(out), suffix=".tmp", dir=out.parent))
        os.chmod(tmp, 0o777 & ~user_umask())  # an export is the user's folder, not a private temporary
    except OSError as exc:
        raise ExportError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    old: Path | None = None
    try:
        yield tmp
        (tmp / MARKER).write_text("written by mammoviewer export\n", encoding="utf-8")
        if not out.exists():
            os.replace(tmp, out)
        elif not exchange(tmp, out):  # tmp now holds the previous export, removed below
            old = _aside(out, os.getpid())  # no swap here: two renames, rolled back by the next export if cut
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

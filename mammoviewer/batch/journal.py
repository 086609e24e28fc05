"""The output folder of a batch: ``results.jsonl``, ``keys.jsonl`` and ``run.json``, safe to resume.

``results.jsonl`` holds one line per finished input, exactly a ``detect --json`` entry. Beside it
``keys.jsonl`` holds the :class:`~mammoviewer.batch.sources.FileKey` of each finished input (its
file's absolute path, size and mtime when it was detected) under the results line's ``"path"``. Lines are appended, flushed and fsync'ed by the one
driver process: the results lines of a task first, then their keys. On opening, a torn last line
(a run killed mid-write) is dropped, a results line without its key is dropped (its input is done
again), and lines of inputs whose file has changed are dropped; both files are then rewritten
atomically. So an interrupted run resumes with no line lost and none twice.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mammoviewer.batch.sources import FileKey
from mammoviewer.errors import MammoViewerError
from mammoviewer.formats.atomic import fsync_dir

RESULTS, KEYS, RUN = "results.jsonl", "keys.jsonl", "run.json"


class BatchError(MammoViewerError):
    """The output folder of a batch cannot be used (unwritable, or holds another run's results)."""


def _read_lines(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """Parsed JSON lines of ``path`` and whether any line had to be dropped (torn or unreadable)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], False
    except OSError as exc:
        raise BatchError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    rows, dropped = [], False
    chunks = data.split(b"\n")
    if chunks and chunks[-1] != b"":  # no newline after the last line: torn by a kill mid-write
        dropped = True
    for raw in chunks[:-1]:
        try:
            row = json.loads(raw)
            if not isinstance(row, dict) or not isinstance(row.get("path"), str):
                raise ValueError("not an entry")
            rows.append(row)
        except ValueError:
            dropped = True
    return rows, dropped


def _line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, separators=(",", ":")) + "\n").encode()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _key_of(row: dict[str, Any]) -> FileKey | None:
    try:
        return FileKey(str(row["path"]), int(row["size"]), int(row["mtime_ns"]))
    except (KeyError, TypeError, ValueError):
        return None


class Journal:
    """The results of one output folder. Open with :meth:`open`; :meth:`close` when done."""

    def __init__(self, folder: Path, entries: dict[str, tuple[dict[str, Any], FileKey]]) -> None:
        self.folder = folder
        #: finished inputs: absolute path -> (results entry, key of the file when it was detected)
        self.finished = entries
        self._results = open(folder / RESULTS, "ab")
        self._keys = open(folder / KEYS, "ab")

    @classmethod
    def open(cls, folder: str | Path, run: dict[str, Any], inputs: Sequence[FileKey] = ()) -> Journal:
        """Open (or create) ``folder`` for a run described by ``run`` (model, threshold).

        Inputs among ``inputs`` whose file changed since they were detected lose their lines (they
        are to be done again). BatchError if the folder cannot be made or written, or if its
        ``run.json`` names another model or threshold.
        """
        folder = Path(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BatchError(f"{folder}: cannot create the output folder ({exc.strerror or exc})") from exc
        _check_run(folder / RUN, run)
        rows, torn = _read_lines(folder / RESULTS)
        key_rows, torn_keys = _read_lines(folder / KEYS)
        keys = {}  # results line's "path" -> key; the last key of a line wins
        for k in key_rows:
            key = _key_of(k)
            if key is not None and isinstance(k.get("entry"), str):
                keys[k["entry"]] = key
        dropped = torn or torn_keys or len(keys) != len(key_rows)
        entries: dict[str, tuple[dict[str, Any], FileKey]] = {}
        for row in rows:
            key = keys.get(row["path"])
            if key is None or key.path in entries:  # written without its key (killed between), or twice
                dropped = True
            if key is not None:
                entries[key.path] = (row, key)
        for key in inputs:
            done = entries.get(key.path)
            if done is not None and done[1] != key:  # the file changed: detect it again
                del entries[key.path]
                dropped = True
        if dropped:
            _write_atomic(folder / KEYS, b"".join(_line({"entry": e["path"], **k.to_json()})
                                                  for e, k in entries.values()))
            _write_atomic(folder / RESULTS, b"".join(_line(e) for e, _ in entries.values()))
        try:
            return cls(folder, entries)
        except OSError as exc:
            raise BatchError(f"{folder}: cannot write results ({exc.strerror or exc})") from exc

    def pending(self, inputs: Iterable[FileKey]) -> list[FileKey]:
        """The inputs not finished yet (in the given order)."""
        return [k for k in inputs if k.path not in self.finished]

    def append(self, done: Sequence[tuple[FileKey, dict[str, Any]]]) -> None:
        """Record finished inputs durably: their results lines, fsync, then their keys, fsync."""
        if not done:
            return
        try:
            self._results.write(b"".join(_line(entry) for _, entry in done))
            self._results.flush()
            os.fsync(self._results.fileno())
            self._keys.write(b"".join(_line({"entry": entry["path"], **key.to_json()}) for key, entry in done))
            self._keys.flush()
            os.fsync(self._keys.fileno())
        except OSError as exc:
            raise BatchError(f"{self.folder / RESULTS}: cannot write ({exc.strerror or exc})") from exc
        for key, entry in done:
            self.finished[key.path] = (entry, key)

    def close(self) -> None:
        self._results.close()
        self._keys.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_run(path: Path, run: dict[str, Any]) -> None:
    """Write ``run.json``, or check that the one there describes the same model and threshold."""
    if path.exists():
        try:
            known = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise BatchError(f"{path}: not a readable run description ({exc})") from exc
        for field in ("model", "threshold"):
            if known.get(field) != run.get(field):
                raise BatchError(
                    f"{path.parent}: holds results of {field} {known.get(field)!r}, not {run.get(field)!r}; "
                    "use another --out folder (or the same --model and --threshold to resume)"
                )
        return
    try:
        _write_atomic(path, (json.dumps(run, indent=1) + "\n").encode())
    except OSError as exc:
        raise BatchError(f"{path.parent}: cannot write to the output folder ({exc.strerror or exc})") from exc

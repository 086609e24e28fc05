"""The review store: images, findings, corrections and model runs in SQLite.

This module, its table definitions (``review.schema``) and the file's opening (``review.sqlite_file``)
are the only ones that speak SQL. The file is opened in WAL mode with
``synchronous=FULL`` and foreign keys on; every edit is committed in its own
``BEGIN IMMEDIATE`` transaction at once, so an application crash never loses a
committed edit and never corrupts the file. Two windows (or processes) may write
the same store: SQLite's lock serialises them, each waiting up to ``busy_timeout_s``.
Updates check that the finding is still as the caller last saw it, so a window
never silently overwrites another window's edit.
"""

from __future__ import annotations

import getpass
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mammoviewer.errors import StoreError
from mammoviewer.review.records import (
    REVIEW_STATES,
    Correction,
    Finding,
    FindingChange,
    ImageRecord,
)
from mammoviewer.review import sqlite_file
from mammoviewer.review.schema import (FINDING_COLS, IMAGE_COLS, IMAGE_COLS_V1, SCHEMA_VERSION, change_json,
                                       finding_row, row_finding)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record something
        return "unknown"


class ReviewStore:
    """A review store file. Open with :meth:`open`; use as a context manager or :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, busy_timeout_s: float) -> None:
        self.path = path
        self._conn = conn
        self.busy_timeout_s = busy_timeout_s
        self.user = _user()
        self._lock = threading.RLock()  # one connection, usable from a worker thread too
        self._outer: int | None = None  # thread holding an outer transaction (see :meth:`transaction`)
        self.read_only = False
        self.schema_version = SCHEMA_VERSION  # an older store opened read-only keeps its own

    # ---- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, create: bool = True, busy_timeout_s: float = 10.0,
             read_only: bool | None = None) -> ReviewStore:
        """Open (or, with ``create``, make) the store at ``path``.

        ``read_only``: True opens for reading only (viewing, export); None (the default) opens for
        writing and falls back to reading only when the file or its folder cannot be written.
        A write to a read-only store raises StoreError. Raises StoreError naming the path for a
        missing file (``create=False``), a file that is not SQLite or not a review store, a corrupt
        file, a store written by a newer MammoViewer, or a lock held longer than ``busy_timeout_s``.
        """
        path = Path(path).expanduser().absolute()
        conn, read_only = sqlite_file.connect(path, create, busy_timeout_s, read_only)
        store = cls(path, conn, busy_timeout_s)
        store.read_only = read_only
        try:
            store.schema_version = sqlite_file.prepare(conn, path, read_only, busy_timeout_s)
        except StoreError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            raise store._error(exc) from exc
        return store

    def _error(self, exc: sqlite3.Error, doing: str = "open") -> StoreError:
        return sqlite_file.describe_error(self.path, exc, doing, self.busy_timeout_s)

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One immediate write transaction, committed (durably) on exit; inside :meth:`transaction`
        it joins the outer one."""
        c = self._conn
        with self._lock:
            if self._outer == threading.get_ident():
                yield c
                return
            if self.read_only:
                raise StoreError(f"{self.path}: the review store is read-only (cannot {doing})")
            try:
                c.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc, doing) from exc
            try:
                yield c
                c.execute("COMMIT")
            except BaseException as exc:
                if c.in_transaction:
                    c.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc, doing) from exc
                raise

    @contextmanager
    def transaction(self, doing: str = "write") -> Iterator[None]:
        """Group many writes into ONE transaction: all of them are stored, or, on any error, none.

        Used by imports, so a file that fails halfway leaves the store as it was.
        """
        with self._lock, self._write(doing):
            self._outer = threading.get_ident()
            try:
                yield
            finally:
                self._outer = None

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.ProgrammingError as exc:
            raise StoreError(f"{self.path}: store is closed") from exc
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from exc

    def close(self) -> None:
        """Close the store (idempotent). Waits for a read or write running on another thread: closing
        an SQLite connection under a running statement crashes the process."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def integrity_check(self) -> str:
        """SQLite's full ``PRAGMA integrity_check`` result (``"ok"`` when sound)."""
        return "; ".join(r[0] for r in self._read("PRAGMA integrity_check"))

    # ---- images ------------------------------------------------------------------
    def add_image(self, image: ImageRecord) -> ImageRecord:
        """Add an image, or update size/spacing/note/metadata of a known one (review state kept; its content
        hash and modality kept unless given)."""
        with self._write("add an image") as c:
            c.execute(
                "INSERT INTO images (key, width, height, review_state, pixel_spacing_mm, note, metadata, "
                "content_hash, modality) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "width=excluded.width, height=excluded.height, pixel_spacing_mm=excluded.pixel_spacing_mm, "
                "note=excluded.note, metadata=excluded.metadata, "
                "content_hash=COALESCE(excluded.content_hash, content_hash), "
                "modality=COALESCE(excluded.modality, modality)",
                (image.key, image.width, image.height, image.review_state, image.pixel_spacing_mm,
                 image.note, json.dumps(image.metadata, sort_keys=True), image.content_hash, image.modality),
            )  # fmt: skip
        return self.image(image.key)

    def set_identity(self, key: str, content_hash: str | None, modality: str | None = None) -> None:
        """Record what a known film is: its pixel-content hash and modality (None keeps the stored value)."""
        with self._write("record the film's identity") as c:
            n = c.execute("UPDATE images SET content_hash=COALESCE(?, content_hash), "
                          "modality=COALESCE(?, modality) WHERE key=?", (content_hash, modality, key)).rowcount
            if n != 1:
                raise StoreError(f"{self.path}: no image {key!r} in this store")

    def _images(self, where: str = "", params: tuple[Any, ...] = ()) -> list[ImageRecord]:
        cols = IMAGE_COLS if self.schema_version >= 2 else IMAGE_COLS_V1
        rows = self._read(f"SELECT {cols} FROM images {where} ORDER BY key", params)
        return [
            ImageRecord(key=k, width=w, height=h, review_state=s, pixel_spacing_mm=p, note=n,
                        metadata=json.loads(m), content_hash=ch, modality=mo)
            for k, w, h, s, p, n, m, ch, mo in rows
        ]  # fmt: skip

    def images_with_content(self, content_hash: str) -> list[ImageRecord]:
        """Every image of the store whose pixels have this content hash (the same film), sorted by key."""
        if self.schema_version < 2:
            return []
        return self._images("WHERE content_hash = ?", (content_hash,))

    def images(self, review_state: str | None = None) -> list[ImageRecord]:
        """All images, sorted by key (optionally only those in ``review_state``)."""
        if review_state is None:
            return self._images()
        return self._images("WHERE review_state = ?", (review_state,))

    def image(self, key: str) -> ImageRecord:
        found = self._images("WHERE key = ?", (key,))
        if not found:
            raise StoreError(f"{self.path}: no image {key!r} in this store")
        return found[0]

    def set_review_state(self, key: str, state: str) -> None:
        if state not in REVIEW_STATES:
            raise ValueError(f"review state must be one of {REVIEW_STATES}, not {state!r}")
        with self._write("set the review state") as c:
            if c.execute("UPDATE images SET review_state=? WHERE key=?", (state, key)).rowcount != 1:
                raise StoreError(f"{self.path}: no image {key!r} in this store")

    # ---- findings ----------------------------------------------------------------
    def findings(self, image_key: str | None = None) -> list[Finding]:
        """Current findings of one image (or all), in insertion order."""
        if image_key is None:
            rows = self._read(f"SELECT {FINDING_COLS} FROM findings ORDER BY image_key, rowid")
        else:
            rows = self._read(
                f"SELECT {FINDING_COLS} FROM findings WHERE image_key = ? ORDER BY rowid", (image_key,)
            )
        return [row_finding(r) for r in rows]

    def finding(self, finding_id: str) -> Finding | None:
        rows = self._read(f"SELECT {FINDING_COLS} FROM findings WHERE id = ?", (finding_id,))
        return row_finding(rows[0]) if rows else None

    def _apply(self, c: sqlite3.Connection, change: FindingChange, time: str) -> None:
        f = change.finding
        if change.kind != "insert":
            rows = c.execute(f"SELECT {FINDING_COLS} FROM findings WHERE id = ?", (f.id,)).fetchall()
            current = row_finding(rows[0]) if rows else None
            if current != change.before:
                raise StoreError(
                    f"{self.path}: finding {f.id} was changed elsewhere (another window?); "
                    "reopen the image to see its current state"
                )
        if change.kind == "insert":
            if c.execute("SELECT 1 FROM findings WHERE id = ?", (f.id,)).fetchone():
                raise StoreError(f"{self.path}: finding {f.id} already exists")
            try:
                c.execute(f"INSERT INTO findings ({FINDING_COLS}) VALUES ({', '.join('?' * 19)})",
                          finding_row(f))  # fmt: skip
            except sqlite3.IntegrityError as exc:
                raise StoreError(f"{self.path}: cannot add finding to {f.image_key!r} ({exc}); "
                                 "add the image first") from exc  # fmt: skip
        elif change.kind == "delete":
            c.execute("DELETE FROM findings WHERE id = ?", (f.id,))
        else:
            if change.before.image_key != f.image_key:  # type: ignore[union-attr]
                raise StoreError(f"{self.path}: a finding cannot move to another image")
            cols = [s.strip() for s in FINDING_COLS.split(",")][1:]
            c.execute(f"UPDATE findings SET {', '.join(x + '=?' for x in cols)} WHERE id = ?",
                      (*finding_row(f)[1:], f.id))  # fmt: skip
        c.execute(
            "INSERT INTO corrections (image_key, finding_id, action, before, after, time, user) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (f.image_key, f.id, change.action, change_json(change.before), change_json(change.after), time,
             self.user),
        )  # fmt: skip

    def apply(self, change: FindingChange) -> None:
        """Persist one finding insert/update/delete and its correction row in ONE transaction.

        For updates and deletes ``change.before`` must equal the stored finding, else
        StoreError (another window changed it) and nothing is written.
        """
        with self._write(change.action) as c:
            self._apply(c, change, _now())

    def apply_many(self, changes: Iterable[FindingChange]) -> None:
        """Persist several changes atomically (all or none)."""
        with self._write("save changes") as c:
            time = _now()
            for ch in changes:
                self._apply(c, ch, time)

    def replace_findings(self, image_key: str, source: str, findings: Iterable[Finding],
                         action: str) -> list[Finding]:  # fmt: skip
        """Swap the untouched findings of ``source`` on an image for ``findings``, atomically.

        "Untouched" means not edited and still pending: anything a reader edited,
        accepted or rejected is kept. Each removal/addition is logged as a correction
        (``"<action> remove"`` / ``"<action> add"``). Returns the findings added.
        """
        new = list(findings)
        with self._write(action) as c:
            self._replace(c, image_key, source, new, action)
        return new

    def _replace(self, c: sqlite3.Connection, image_key: str, source: str, new: list[Finding],
                 action: str) -> None:  # fmt: skip
        time = _now()
        rows = c.execute(
            f"SELECT {FINDING_COLS} FROM findings WHERE image_key=? AND source=? AND edited=0 "
            "AND status='pending' ORDER BY rowid", (image_key, source)
        ).fetchall()  # fmt: skip
        for old in map(row_finding, rows):
            self._apply(c, FindingChange(f"{action} remove", old, None), time)
        for f in new:
            if f.image_key != image_key:
                raise StoreError(f"{self.path}: finding for {f.image_key!r} given for {image_key!r}")
            self._apply(c, FindingChange(f"{action} add", None, f), time)

    def record_model_findings(
        self, image_key: str, model_name: str, model_version: str, findings: Iterable[Finding],
        threshold: float | None = None,
    ) -> list[Finding]:  # fmt: skip
        """Store a model run's findings for an image, replacing the previous run's untouched ones.

        The given findings are stored with ``source="model"``, the model name/version and
        provenance (``original_*`` = as the model said). Reader-touched findings stay.
        """
        new = [
            f.replace(source="model", model_name=model_name, model_version=model_version,
                      status="pending", edited=False).with_provenance()
            for f in findings
        ]  # fmt: skip
        with self._write("record the model run") as c:
            self._replace(c, image_key, "model", new, "model")
            c.execute(
                "INSERT INTO model_runs (image_key, model_name, model_version, time, threshold, "
                "n_findings) VALUES (?, ?, ?, ?, ?, ?)",
                (image_key, model_name, model_version, _now(), threshold, len(new)),
            )
        return new

    def model_runs(self, image_key: str) -> list[dict[str, Any]]:
        """Model runs on an image, oldest first, as dicts."""
        rows = self._read(
            "SELECT model_name, model_version, time, threshold, n_findings FROM model_runs "
            "WHERE image_key=? ORDER BY id", (image_key,)
        )  # fmt: skip
        keys = ("model_name", "model_version", "time", "threshold", "n_findings")
        return [dict(zip(keys, r)) for r in rows]

    # ---- audit log ---------------------------------------------------------------
    def corrections(self, image_key: str | None = None) -> list[Correction]:
        """The audit log (all, or of one image), oldest first."""
        sql = "SELECT id, image_key, finding_id, action, before, after, time, user FROM corrections"
        rows = self._read(sql + (" WHERE image_key=?" if image_key else "") + " ORDER BY id",
                          (image_key,) if image_key else ())  # fmt: skip
        return [
            Correction(id=i, image_key=k, finding_id=fid, action=a,
                       before=json.loads(b) if b else None, after=json.loads(af) if af else None,
                       time=t, user=u)
            for i, k, fid, a, b, af, t, u in rows
        ]  # fmt: skip

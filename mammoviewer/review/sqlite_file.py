"""Opening a review store file: checks before SQLite touches it, the connection, pragmas, schema, errors."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from mammoviewer.errors import StoreError
from mammoviewer.review.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION, SQLITE_MAGIC


def _check_file(path: Path, create: bool) -> bool:
    """Refuse what is not (or cannot become) a store file; whether it exists."""
    exists = path.exists()
    if not exists and not create:
        raise StoreError(f"{path}: no review store here (create one with 'mammoviewer import')")
    if exists:
        if path.is_dir():
            raise StoreError(f"{path}: is a folder, not a review store file")
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        if head and head != SQLITE_MAGIC:
            raise StoreError(f"{path}: not a review store (not an SQLite file)")
    elif not path.parent.is_dir():
        raise StoreError(f"{path}: folder {path.parent} does not exist")
    return exists


def _connect_read_only(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """Read-only connection. ``mode=ro`` reads the write-ahead log too; where SQLite cannot open it
    (no -shm file and a folder it may not write), the file is read as it is (``immutable``)."""
    for query in ("mode=ro", "mode=ro&immutable=1"):
        conn = sqlite3.connect(f"{path.as_uri()}?{query}", uri=True, timeout=busy_timeout_s,
                               isolation_level=None, check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            conn.close()
            if "immutable" in query:
                raise
    raise AssertionError("unreachable")


def connect(path: Path, create: bool, busy_timeout_s: float,
            read_only: bool | None) -> tuple[sqlite3.Connection, bool]:
    """A connection to the store file at ``path`` and whether it is read-only (see ``ReviewStore.open``)."""
    exists = _check_file(path, create)
    if read_only is None:
        read_only = exists and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
    if read_only and not exists:
        raise StoreError(f"{path}: no review store here to open read-only")
    try:
        if read_only:
            return _connect_read_only(path, busy_timeout_s), True
        return sqlite3.connect(str(path), timeout=busy_timeout_s, isolation_level=None,
                               check_same_thread=False), False
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open ({exc})") from exc


def describe_error(path: Path, exc: sqlite3.Error, doing: str, busy_timeout_s: float) -> StoreError:
    """One clear StoreError for an SQLite error met while ``doing`` something with the store."""
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return StoreError(
            f"{path}: store is locked by another program for more than "
            f"{busy_timeout_s:g} s (cannot {doing}); close it there and retry"
        )
    if isinstance(exc, sqlite3.DatabaseError) and (
        "malformed" in msg or "not a database" in msg or "corrupt" in msg
    ):
        return StoreError(f"{path}: store file is corrupt ({msg}); restore a backup")
    if "readonly" in msg or "read-only" in msg:
        return StoreError(f"{path}: the review store is read-only (cannot {doing})")
    return StoreError(f"{path}: cannot {doing} the review store ({msg})")


def _tables(c: sqlite3.Connection) -> set[str]:
    rows = c.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {r[0] for r in rows} - {"sqlite_sequence"}


def _migrate(c: sqlite3.Connection, path: Path) -> int:
    """Bring an older store up to :data:`SCHEMA_VERSION` in ONE transaction (all steps or none); its version."""
    c.execute("BEGIN IMMEDIATE")
    try:
        version = int(c.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for stmt in MIGRATIONS[target]:
                c.execute(stmt)
            c.execute("INSERT INTO schema_version VALUES (?)", (target,))
            version = target
        c.execute("COMMIT")
    except BaseException as exc:
        if c.in_transaction:
            c.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"{path}: cannot bring the store up to schema {SCHEMA_VERSION} ({exc}); "
                             "it is left as it was") from exc
        raise
    return version


def prepare(c: sqlite3.Connection, path: Path, read_only: bool, busy_timeout_s: float) -> int:
    """Pragmas (WAL, synchronous=FULL, foreign keys), integrity, the schema of a new file, its version.

    An older store opened for writing is migrated (in one transaction); opened read-only it is read as it
    is. Returns the store's schema version."""
    c.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    tables = _tables(c)
    if tables and not {"schema_version", "findings"} <= tables:  # before touching a foreign file
        raise StoreError(f"{path}: an SQLite file but not a MammoViewer review store")
    if read_only and not tables:
        raise StoreError(f"{path}: an empty file, not a review store (opened read-only)")
    if not read_only:
        mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{path}: cannot switch the store to WAL mode (got {mode})")
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")
    check = c.execute("PRAGMA quick_check").fetchone()[0]
    if check != "ok":
        raise StoreError(f"{path}: store file is corrupt ({check}); restore a backup")
    if not tables and not read_only:
        c.execute("BEGIN IMMEDIATE")
        try:
            if not _tables(c):  # another process may have just created it
                for stmt in filter(str.strip, SCHEMA.split(";")):
                    c.execute(stmt)
                c.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
    row = c.execute("SELECT MAX(version) FROM schema_version").fetchone()
    version = row[0] if row else None
    if version is None:
        raise StoreError(f"{path}: review store has no schema version")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer MammoViewer (store schema {version}, "
            f"this version reads up to {SCHEMA_VERSION}); upgrade MammoViewer"
        )
    if version < SCHEMA_VERSION and not read_only:
        version = _migrate(c, path)
    return int(version)

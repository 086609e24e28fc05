from __future__ import annotations

import getpass
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mammoviewer.errors import StoreError
from mammoviewer.review import Box, Finding, FindingChange, ImageRecord, ReviewStore
from mammoviewer.review.schema import SCHEMA_VERSION

from .conftest import KEY


def _f(**kw) -> Finding:
    base = dict(image_key=KEY, box=Box(10, 20, 30, 40), label="benign")
    base.update(kw)
    return Finding(**base)


def test_new_store_is_wal_full_sync_with_foreign_keys_and_schema_version(store: ReviewStore) -> None:
    c = store._conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert store.integrity_check() == "ok"


def test_images_add_update_and_review_state(store: ReviewStore) -> None:
    store.add_image(ImageRecord(key="/b.pgm", width=800, height=600, pixel_spacing_mm=0.1,
                                metadata={"x": [1, 2]}))  # fmt: skip
    store.set_review_state("/b.pgm", "in progress")
    again = store.add_image(ImageRecord(key="/b.pgm", width=800, height=600, note="n"))
    assert again.review_state == "in progress" and again.note == "n"  # state survives re-add
    assert [i.key for i in store.images()] == ["/b.pgm", KEY]
    assert [i.key for i in store.images("in progress")] == ["/b.pgm"]
    with pytest.raises(StoreError, match="no image"):
        store.set_review_state("/nope", "reviewed")
    with pytest.raises(ValueError):
        store.set_review_state(KEY, "done")


def test_apply_persists_finding_and_correction_in_one_go(store: ReviewStore) -> None:
    f = _f()
    store.apply(FindingChange("add", None, f))
    moved = f.replace(box=Box(11, 20, 31, 40), edited=True)
    store.apply(FindingChange("move", f, moved))
    assert store.findings(KEY) == [moved]
    store.apply(FindingChange("delete", moved, None))
    assert store.findings(KEY) == []
    log = store.corrections(KEY)
    assert [c.action for c in log] == ["add", "move", "delete"]
    assert log[0].before is None and Finding.from_json(log[0].after) == f
    assert Finding.from_json(log[1].before) == f and Finding.from_json(log[1].after) == moved
    assert log[2].after is None
    assert all(c.user == getpass.getuser() and c.time.endswith("+00:00") for c in log)


def test_stale_update_is_refused_and_writes_nothing(store: ReviewStore) -> None:
    f = _f()
    store.apply(FindingChange("add", None, f))
    other = f.replace(label="malignant")
    store.apply(FindingChange("set label", f, other))  # "another window"
    with pytest.raises(StoreError, match="changed elsewhere"):
        store.apply(FindingChange("move", f, f.replace(box=Box(0, 0, 5, 5))))
    assert store.findings(KEY) == [other]
    assert len(store.corrections(KEY)) == 2
    with pytest.raises(StoreError, match="already exists"):
        store.apply(FindingChange("add", None, other))
    with pytest.raises(StoreError, match="add the image first"):
        store.apply(FindingChange("add", None, _f(image_key="/unknown")))


def test_model_findings_replace_only_untouched_ones(store: ReviewStore) -> None:
    run1 = store.record_model_findings(KEY, "idbll", "1", [_f(score=0.9), _f(score=0.8), _f(score=0.7)], 0.5)
    assert all(f.source == "model" and f.original_score == f.score and f.model_version == "1" for f in run1)
    accepted = run1[0].replace(status="accepted")
    moved = run1[1].replace(box=Box(1, 1, 9, 9), edited=True)
    store.apply(FindingChange("set status", run1[0], accepted))
    store.apply(FindingChange("move", run1[1], moved))
    reader = _f(source="reader")
    store.apply(FindingChange("add", None, reader))
    run2 = store.record_model_findings(KEY, "idbll", "2", [_f(score=0.6)], 0.4)
    ids = {f.id for f in store.findings(KEY)}
    assert ids == {accepted.id, moved.id, reader.id, run2[0].id}  # run1[2] (untouched) replaced
    assert [r["model_version"] for r in store.model_runs(KEY)] == ["1", "2"]
    assert store.model_runs(KEY)[1]["threshold"] == 0.4 and store.model_runs(KEY)[1]["n_findings"] == 1
    assert [c.action for c in store.corrections(KEY)][-2:] == ["model remove", "model add"]


def test_reopen_gives_back_exactly_what_was_stored(tmp_path: Path) -> None:
    path = tmp_path / "s.mvstore"
    with ReviewStore.open(path) as s:
        s.add_image(ImageRecord(key=KEY, width=1024, height=1024, metadata={"mias_ref": "mdb001"}))
        f = _f(finding_type="calcification", note="é ✓", attributes={"mias_class": "CALC"})
        s.apply(FindingChange("add", None, f))
        before = (s.images(), s.findings(), s.corrections())
    with ReviewStore.open(path, create=False) as s:
        assert (s.images(), s.findings(), s.corrections()) == before


def test_open_errors_name_the_file_and_the_problem(tmp_path: Path) -> None:
    missing = tmp_path / "missing.mvstore"
    with pytest.raises(StoreError, match="no review store here"):
        ReviewStore.open(missing, create=False)
    assert not missing.exists()
    junk = tmp_path / "junk.mvstore"
    junk.write_bytes(b"hello, not a database" * 10)
    with pytest.raises(StoreError, match=r"junk\.mvstore: not a review store \(not an SQLite"):
        ReviewStore.open(junk)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="not a MammoViewer review store"):
        ReviewStore.open(other)
    assert sqlite3.connect(other).execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # untouched
    with pytest.raises(StoreError, match="is a folder"):
        ReviewStore.open(tmp_path)
    with pytest.raises(StoreError, match="does not exist"):
        ReviewStore.open(tmp_path / "no" / "s.mvstore")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.mvstore"
    ReviewStore.open(path).close()
    c = sqlite3.connect(path)
    c.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    c.commit()
    c.close()
    with pytest.raises(StoreError, match="newer MammoViewer"):
        ReviewStore.open(path)


def test_corrupt_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.mvstore"
    with ReviewStore.open(path) as s:
        s.add_image(ImageRecord(key=KEY, width=10, height=10))
        for i in range(200):
            s.apply(FindingChange("add", None, _f(note="x" * 200)))
        s._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2 : page * 6] = b"\xa5" * (page * 4)  # trash table pages, keep the header
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="corrupt"):
        ReviewStore.open(path)


def test_lock_held_too_long_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.mvstore"
    ReviewStore.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        s = ReviewStore.open(path, busy_timeout_s=0.2)
        with pytest.raises(StoreError, match="locked by another program"):
            s.add_image(ImageRecord(key=KEY, width=10, height=10))
        assert s.images() == []  # reading still works under WAL
        s.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from mammoviewer.review import Box, Finding, FindingChange, ReviewStore
    store = ReviewStore.open(sys.argv[1], create=False)
    for i in range(int(sys.argv[3])):
        f = Finding(image_key=sys.argv[2], box=Box(i, 0, i + 1, 1), label="benign", note=sys.argv[4])
        store.apply(FindingChange("add", None, f))
    store.close()
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.mvstore"
    with ReviewStore.open(path) as s:
        s.add_image(ImageRecord(key=KEY, width=10, height=10))
    n = 40
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), KEY, str(n), name], stderr=subprocess.PIPE)
        for name in ("a", "b")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
    with ReviewStore.open(path) as s:
        notes = [f.note for f in s.findings(KEY)]
        assert sorted(notes) == ["a"] * n + ["b"] * n
        assert len(s.corrections(KEY)) == 2 * n
        assert s.integrity_check() == "ok"


def test_one_store_shared_with_a_worker_thread(store: ReviewStore) -> None:
    import threading

    errors: list[BaseException] = []

    def work(tag: str) -> None:
        try:
            for i in range(30):
                store.apply(FindingChange("add", None, _f(note=tag)))
                store.findings(KEY)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in ("ui", "worker")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(f.note for f in store.findings(KEY)) == ["ui"] * 30 + ["worker"] * 30


def test_a_transaction_stores_all_of_its_writes_or_none(tmp_path):
    s = ReviewStore.open(tmp_path / "t.sqlite")
    with pytest.raises(RuntimeError):
        with s.transaction("import"):
            s.add_image(ImageRecord(key="/a.png", width=10, height=10))
            s.apply(FindingChange("add", None, Finding(image_key="/a.png", box=Box(0, 0, 5, 5), label="benign")))
            raise RuntimeError("the file was broken halfway")
    assert s.images() == [] and s.findings() == [] and s.corrections() == []
    with s.transaction("import"):
        s.add_image(ImageRecord(key="/a.png", width=10, height=10))
        s.apply(FindingChange("add", None, Finding(image_key="/a.png", box=Box(0, 0, 5, 5), label="benign")))
    assert len(s.findings()) == 1
    s.close()


def test_a_read_only_store_opens_for_viewing_and_refuses_writes(tmp_path):
    path = tmp_path / "ro.sqlite"
    s = ReviewStore.open(path)
    s.add_image(ImageRecord(key="/a.png", width=10, height=10))
    s.apply(FindingChange("add", None, Finding(image_key="/a.png", box=Box(0, 0, 5, 5), label="benign")))
    s.close()
    ro = ReviewStore.open(path, read_only=True)
    assert ro.read_only and [f.label for f in ro.findings()] == ["benign"]
    with pytest.raises(StoreError, match="read-only"):
        ro.add_image(ImageRecord(key="/b.png", width=10, height=10))
    ro.close()
    assert len(ReviewStore.open(path).images()) == 1  # nothing was written


def test_a_store_that_cannot_be_written_falls_back_to_read_only(tmp_path, monkeypatch):
    import os

    path = tmp_path / "ro.sqlite"
    ReviewStore.open(path).close()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK else real_access(p, mode, **kw))
    s = ReviewStore.open(path)
    assert s.read_only and s.images() == []
    s.close()


def test_closing_waits_for_a_read_on_another_thread(tmp_path):
    """A worker thread may still be reading when the window closes the store."""
    import threading

    s = ReviewStore.open(tmp_path / "c.sqlite")
    for i in range(50):
        s.add_image(ImageRecord(key=f"/f{i}.png", width=10, height=10))
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(2000):
                s.images()
        except StoreError:
            pass  # "store is closed": the expected end
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    s.close()
    t.join(30)
    assert not t.is_alive() and errors == []


def _version_1_store(path: Path) -> None:
    """A store as MammoViewer wrote it before films were named by their pixels (schema 1)."""
    from mammoviewer.review.schema import SCHEMA

    old = SCHEMA.replace(",\n    content_hash TEXT,\n    modality TEXT", "").replace(
        "CREATE INDEX images_by_content ON images(content_hash);\n", "")
    assert "content_hash" not in old
    c = sqlite3.connect(path)
    c.executescript(old)
    c.execute("INSERT INTO schema_version VALUES (1)")
    c.execute("INSERT INTO images (key, width, height, review_state) VALUES (?, 10, 20, 'reviewed')", (KEY,))
    c.commit()
    c.close()


def test_a_version_1_store_is_migrated_in_one_go_and_read_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old.mvstore"
    _version_1_store(path)
    with ReviewStore.open(path, read_only=True) as s:  # read-only: read as it is, not migrated
        assert s.schema_version == 1 and s.image(KEY).content_hash is None
    with ReviewStore.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION == 3
        rec = s.image(KEY)
        assert (rec.review_state, rec.content_hash, rec.modality) == ("reviewed", None, None)
        s.set_identity(KEY, "px1:abc", "MG")
        s.add_image(rec.replace(note="seen"))  # re-adding without an identity keeps the stored one
        assert (s.image(KEY).content_hash, s.image(KEY).modality) == ("px1:abc", "MG")
        s.add_image(ImageRecord(key="/films/copy.png", width=10, height=20, content_hash="px1:abc"))
        assert [i.key for i in s.images_with_content("px1:abc")] == ["/films/copy.png", KEY]
    c = sqlite3.connect(path)
    assert [r[0] for r in c.execute("SELECT version FROM schema_version ORDER BY version")] == [1, 2, 3]
    c.close()


def test_a_failed_migration_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch) -> None:
    from mammoviewer.review import schema

    path = tmp_path / "old.mvstore"
    _version_1_store(path)
    monkeypatch.setitem(schema.MIGRATIONS, 2, schema.MIGRATIONS[2] + ("ALTER TABLE nowhere ADD COLUMN x",))
    with pytest.raises(StoreError, match=f"cannot bring the store up to schema {SCHEMA_VERSION}"):
        ReviewStore.open(path)
    c = sqlite3.connect(path)
    cols = [r[1] for r in c.execute("PRAGMA table_info(images)")]
    assert "content_hash" not in cols and c.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    c.close()

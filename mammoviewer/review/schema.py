"""The review store's tables and how a finding maps to a row (SQL, used by ``review.store`` only)."""

from __future__ import annotations

import json
from typing import Any

from mammoviewer.review.records import Box, Finding

SCHEMA_VERSION = 3
SQLITE_MAGIC = b"SQLite format 3\x00"

SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE images (
    key TEXT PRIMARY KEY,
    width INTEGER NOT NULL CHECK (width > 0),
    height INTEGER NOT NULL CHECK (height > 0),
    review_state TEXT NOT NULL DEFAULT 'unreviewed'
        CHECK (review_state IN ('unreviewed', 'in progress', 'reviewed')),
    pixel_spacing_mm REAL,
    note TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT,
    modality TEXT
);
CREATE INDEX images_by_content ON images(content_hash);
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    image_key TEXT NOT NULL REFERENCES images(key) ON DELETE CASCADE,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('benign', 'malignant')),
    finding_type TEXT,
    score REAL,
    source TEXT NOT NULL CHECK (source IN ('model', 'reader', 'import')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    note TEXT NOT NULL DEFAULT '',
    model_name TEXT,
    model_version TEXT,
    original_box TEXT,
    original_label TEXT,
    original_score REAL,
    edited INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}',
    CHECK (x1 > x0 AND y1 > y0)
);
CREATE INDEX findings_by_image ON findings(image_key);
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image_key TEXT NOT NULL REFERENCES images(key) ON DELETE CASCADE,
    finding_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT,
    time TEXT NOT NULL,
    user TEXT NOT NULL
);
CREATE INDEX corrections_by_image ON corrections(image_key);
CREATE TABLE model_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image_key TEXT NOT NULL REFERENCES images(key) ON DELETE CASCADE,
    model_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    time TEXT NOT NULL,
    threshold REAL,
    n_findings INTEGER NOT NULL
);
"""

#: study reports (``review.report_table``) and their audit log; schema version 3
REPORT_TABLES = (
    "CREATE TABLE IF NOT EXISTS reports (study TEXT PRIMARY KEY, patient TEXT NOT NULL DEFAULT '', "
    "body TEXT NOT NULL, time TEXT NOT NULL, user TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_edits (id INTEGER PRIMARY KEY AUTOINCREMENT, study TEXT NOT NULL, "
    "action TEXT NOT NULL, before TEXT, after TEXT, time TEXT NOT NULL, user TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS report_edits_by_study ON report_edits(study)",
)
SCHEMA += ";\n".join(REPORT_TABLES) + ";\n"

#: version -> the statements that bring a store of the version before up to it (run in one transaction)
MIGRATIONS = {
    2: (
        "ALTER TABLE images ADD COLUMN content_hash TEXT",
        "ALTER TABLE images ADD COLUMN modality TEXT",
        "CREATE INDEX images_by_content ON images(content_hash)",
    ),
    3: REPORT_TABLES,
}

IMAGE_COLS = "key, width, height, review_state, pixel_spacing_mm, note, metadata, content_hash, modality"
#: what a version-1 store (opened read-only, so not migrated) gives for the same columns
IMAGE_COLS_V1 = "key, width, height, review_state, pixel_spacing_mm, note, metadata, NULL, NULL"

FINDING_COLS = (
    "id, image_key, x0, y0, x1, y1, label, finding_type, score, source, status, note, "
    "model_name, model_version, original_box, original_label, original_score, edited, attributes"
)


def finding_row(f: Finding) -> tuple[Any, ...]:
    ob = json.dumps(list(f.original_box.as_tuple())) if f.original_box else None
    return (
        f.id, f.image_key, *f.box.as_tuple(), f.label, f.finding_type, f.score, f.source,
        f.status, f.note, f.model_name, f.model_version, ob, f.original_label,
        f.original_score, int(f.edited), json.dumps(f.attributes, sort_keys=True),
    )  # fmt: skip


def row_finding(row: tuple[Any, ...]) -> Finding:
    (fid, key, x0, y0, x1, y1, label, ftype, score, source, status, note, mname, mver,
     ob, olabel, oscore, edited, attrs) = row  # fmt: skip
    return Finding(
        id=fid, image_key=key, box=Box(x0, y0, x1, y1), label=label, finding_type=ftype,
        score=score, source=source, status=status, note=note, model_name=mname,
        model_version=mver, original_box=Box.of(json.loads(ob)) if ob else None,
        original_label=olabel, original_score=oscore, edited=bool(edited),
        attributes=json.loads(attrs),
    )  # fmt: skip


def change_json(f: Finding | None) -> str | None:
    return json.dumps(f.to_json(), sort_keys=True) if f is not None else None

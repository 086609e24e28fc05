"""The review store's study reports: the ``reports`` table and its audit log (the SQL of reports).

``ReportTable(store)`` reads and writes them through the store's connection and transactions. The
tables (``review.schema.REPORT_TABLES``) came with store schema 3: an older store is migrated when
opened for writing, and one opened read-only reads as having no reports. Each save checks that the
stored report is still the one the caller last saw, so two windows never silently overwrite each
other's edits, and writes the report and its audit row in one transaction.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mammoviewer.errors import StoreError
from mammoviewer.review.report import StudyReport

if TYPE_CHECKING:
    from mammoviewer.review.store import ReviewStore

def _body(report: StudyReport | None) -> str | None:
    return None if report is None else json.dumps(report.to_json(), sort_keys=True)


class ReportTable:
    """The reports of one open :class:`~mammoviewer.review.store.ReviewStore`."""

    def __init__(self, store: ReviewStore) -> None:
        self.store = store
        self.path: Path = store.path

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.store._read(sql, params)  # noqa: SLF001 - the review package's own SQL

    def _report_rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._read(sql, params)
        except StoreError as exc:
            if "no such table" in str(exc):  # a version-1 store opened read-only: no reports yet
                return []
            raise

    def report(self, study: str) -> StudyReport | None:
        """The stored report of ``study``, None if it has none."""
        rows = self._report_rows("SELECT body FROM reports WHERE study = ?", (study,))
        return StudyReport.from_json(json.loads(rows[0][0])) if rows else None

    def reports(self) -> list[StudyReport]:
        """Every stored report, by study key."""
        return [StudyReport.from_json(json.loads(b)) for (b,) in self._report_rows(
            "SELECT body FROM reports ORDER BY study")]  # fmt: skip

    def report_edits(self, study: str) -> list[dict[str, Any]]:
        """The report's audit log, oldest first: action, before, after (JSON or None), time, user."""
        rows = self._report_rows(
            "SELECT action, before, after, time, user FROM report_edits WHERE study = ? ORDER BY id", (study,))
        return [{"action": a, "before": json.loads(b) if b else None, "after": json.loads(af) if af else None,
                 "time": t, "user": u} for a, b, af, t, u in rows]  # fmt: skip

    def save_report(self, action: str, before: StudyReport | None, after: StudyReport | None) -> None:
        """Store ``after`` (None deletes) where ``before`` is stored now, with its audit row, in ONE
        transaction; StoreError (nothing written) when the stored report is not ``before``."""
        report = after if after is not None else before
        if report is None:
            raise ValueError("a report change needs a report before or after")
        if before is not None and after is not None and before.study != after.study:
            raise ValueError("a report cannot move to another study")
        time = datetime.now(timezone.utc).isoformat(timespec="microseconds")
        with self.store._write(action) as c:  # noqa: SLF001
            rows = c.execute("SELECT body FROM reports WHERE study = ?", (report.study,)).fetchall()
            current = StudyReport.from_json(json.loads(rows[0][0])) if rows else None
            if current != before:
                raise StoreError(f"{self.path}: the report of study {report.study!r} was changed elsewhere "
                                 "(another window?); reopen the study to see it")
            if after is None:
                c.execute("DELETE FROM reports WHERE study = ?", (report.study,))
            else:
                c.execute("INSERT INTO reports (study, patient, body, time, user) VALUES (?, ?, ?, ?, ?) "
                          "ON CONFLICT(study) DO UPDATE SET patient=excluded.patient, body=excluded.body, "
                          "time=excluded.time, user=excluded.user",
                          (after.study, after.patient, _body(after), time, self.store.user))  # fmt: skip
            c.execute("INSERT INTO report_edits (study, action, before, after, time, user) VALUES (?, ?, ?, ?, ?, ?)",
                      (report.study, action, _body(before), _body(after), time, self.store.user))  # fmt: skip

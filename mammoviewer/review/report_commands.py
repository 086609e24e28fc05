"""The report of one study under edit, persisted on every change, with undoable commands.

A :class:`ReportDocument` plays the part a ``ReviewDocument`` plays for a film: every change goes
through :meth:`ReportDocument.write` (stored at once, in one transaction with its audit row), then
subscribers are told. Commands work with the project's ``CommandStack``::

    doc = ReportDocument.open(store, prefilled)    # the stored report, or ``prefilled`` (saved)
    stack = CommandStack(doc)
    stack.push(EditReport({"right": 4}, "set right assessment"))
    stack.push(EditFinding(finding_id, {"note": "spiculated"}))
    stack.undo(); stack.redo()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mammoviewer.review.audit_prefix import AuditPrefixed
from mammoviewer.review.report import StudyReport
from mammoviewer.review.report_table import ReportTable
from mammoviewer.review.store import ReviewStore

ReportListener = Callable[["ReportDocument"], None]


class ReportDocument(AuditPrefixed):
    """The report of one study, backed by the store."""

    def __init__(self, store: ReviewStore, report: StudyReport) -> None:
        self.table = ReportTable(store)
        self.report = report
        self._listeners: list[ReportListener] = []
        self._prefix = ""

    @classmethod
    def open(cls, store: ReviewStore, prefilled: StudyReport) -> ReportDocument:
        """The stored report of ``prefilled.study``; a study without one gets ``prefilled``, saved."""
        table = ReportTable(store)
        stored = table.report(prefilled.study)
        if stored is None:
            table.save_report("start report", None, prefilled)
            stored = prefilled
        return cls(store, stored)

    @property
    def study(self) -> str:
        return self.report.study

    def subscribe(self, callback: ReportListener) -> Callable[[], None]:
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def write(self, action: str, before: StudyReport, after: StudyReport) -> None:
        """Store ``after`` where ``before`` is stored, then update and notify (StoreError: unchanged)."""
        self.table.save_report(self._prefix + action, before, after)
        self.report = after
        for cb in list(self._listeners):
            cb(self)

    def reload(self) -> None:
        stored = self.table.report(self.study)
        if stored is not None:
            self.report = stored
        for cb in list(self._listeners):
            cb(self)


@dataclass
class EditReport:
    """Change report fields (``composition``, ``right``, ``left``, ``overall``, ``text`` ...)."""

    changes: dict[str, Any]
    text: str = "edit report"
    _before: StudyReport | None = field(default=None, init=False, repr=False)
    _after: StudyReport | None = field(default=None, init=False, repr=False)

    def _edit(self, report: StudyReport) -> StudyReport:
        return report.replace(**self.changes)

    def apply(self, doc: ReportDocument) -> None:
        self._before = doc.report
        self._after = self._edit(self._before)
        doc.write(self.text, self._before, self._after)

    def revert(self, doc: ReportDocument) -> None:
        doc.write(self.text, self._after, self._before)  # type: ignore[arg-type]


@dataclass
class EditFinding(EditReport):
    """Change fields of one report finding (``note``, ``clock``, ``quadrant``, ``depth`` ...)."""

    finding_id: str = ""
    text: str = "edit report finding"

    def __init__(self, finding_id: str, changes: dict[str, Any], text: str = "edit report finding") -> None:
        super().__init__(changes, text)
        self.finding_id = finding_id

    def _edit(self, report: StudyReport) -> StudyReport:
        report.finding(self.finding_id)  # KeyError when it is not in the report
        found = tuple(f.replace(**self.changes) if f.id == self.finding_id else f for f in report.findings)
        return report.replace(findings=found)


@dataclass
class RemoveFinding(EditReport):
    """Take one finding out of the report (the film's finding itself stays)."""

    finding_id: str = ""
    text: str = "remove report finding"

    def __init__(self, finding_id: str, text: str = "remove report finding") -> None:
        super().__init__({}, text)
        self.finding_id = finding_id

    def _edit(self, report: StudyReport) -> StudyReport:
        report.finding(self.finding_id)
        return report.replace(findings=tuple(f for f in report.findings if f.id != self.finding_id))

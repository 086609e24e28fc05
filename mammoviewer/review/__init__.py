"""The Qt-free review model: records, the SQLite review store, documents and undoable commands."""

from __future__ import annotations

from mammoviewer.review.commands import (
    AddFinding,
    CommandStack,
    DeleteFinding,
    MoveFinding,
    SetLabel,
    SetNote,
    SetStatus,
    SetType,
)
from mammoviewer.review.document import ReviewDocument
from mammoviewer.review.records import (
    FINDING_TYPES,
    LABELS,
    REVIEW_STATES,
    SOURCES,
    STATUSES,
    Box,
    Correction,
    Finding,
    FindingChange,
    ImageRecord,
)
from mammoviewer.review.store import ReviewStore

__all__ = [
    "AddFinding", "Box", "CommandStack", "Correction", "DeleteFinding", "FINDING_TYPES", "Finding",
    "FindingChange", "ImageRecord", "LABELS", "MoveFinding", "REVIEW_STATES", "ReviewDocument",
    "ReviewStore", "SOURCES", "STATUSES", "SetLabel", "SetNote", "SetStatus", "SetType",
]  # fmt: skip

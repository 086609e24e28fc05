"""The Qt-free review model: records, the SQLite review store, documents and undoable commands.

Typical use by a view::

    store = ReviewStore.open(path)                 # StoreError on a bad/locked/newer file
    store.add_image(ImageRecord(key=str(abs_path), width=w, height=h))
    store.record_model_findings(key, "idbll", "1.0", findings, threshold=0.3)
    doc = ReviewDocument.open(store, key)          # findings of one image
    stack = CommandStack(doc)                      # undo/redo for that image
    doc.subscribe(lambda doc, change: refresh())   # called after each persisted change
    stack.push(SetStatus(finding_id, "accepted"))  # persisted at once (autosave)
    with stack.group("move"):                      # a drag = one undo step
        stack.push(MoveFinding(finding_id, box_at_press, box_now))
    stack.undo(); stack.redo()
    doc.set_review_state("reviewed")

Boxes are canonical ``Box(x0, y0, x1, y1)``: full-resolution pixels, top-left origin.
"""

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

"""One image under review: its findings, backed by the store, with change callbacks.

A :class:`ReviewDocument` is what a view shows. Every change goes through
:meth:`ReviewDocument.write`, which persists it (finding + correction row in one
transaction) before updating the in-memory list and calling subscribers, so the
store is always exactly what the view shows. Edits a reader can undo are made
with commands (``mammoviewer.review.commands``) pushed on a ``CommandStack``.

Example::

    doc = ReviewDocument.open(store, "/films/mdb001.png")
    stack = CommandStack(doc)
    doc.subscribe(lambda doc, change: view.refresh())
    stack.push(SetStatus(finding_id, "accepted"))
    stack.undo()
"""

from __future__ import annotations

from collections.abc import Callable

from mammoviewer.review.audit_prefix import AuditPrefixed
from mammoviewer.review.records import Correction, Finding, FindingChange, ImageRecord
from mammoviewer.review.store import ReviewStore

#: ``callback(doc, change)``; ``change`` is None when only the review state changed.
Listener = Callable[["ReviewDocument", "FindingChange | None"], None]


class ReviewDocument(AuditPrefixed):
    """The findings of one image, persisted through ``store`` on every change."""

    def __init__(self, store: ReviewStore, image: ImageRecord) -> None:
        self.store = store
        self.image = image
        self._findings: dict[str, Finding] = {f.id: f for f in store.findings(image.key)}
        self._listeners: list[Listener] = []
        self._prefix = ""

    @classmethod
    def open(cls, store: ReviewStore, image_key: str) -> ReviewDocument:
        """The document of an image already in the store (StoreError if unknown)."""
        return cls(store, store.image(image_key))

    @property
    def key(self) -> str:
        return self.image.key

    @property
    def findings(self) -> list[Finding]:
        """Current findings, in the store's order."""
        return list(self._findings.values())

    def finding(self, finding_id: str) -> Finding:
        """The finding with this id (KeyError if not on this image)."""
        return self._findings[finding_id]

    def corrections(self) -> list[Correction]:
        """This image's audit log, oldest first."""
        return self.store.corrections(self.key)

    def subscribe(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback(doc, change)`` after every persisted change; returns an unsubscribe function."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _notify(self, change: FindingChange | None) -> None:
        for cb in list(self._listeners):
            cb(self, change)

    def write(self, action: str, before: Finding | None, after: Finding | None) -> FindingChange:
        """Persist one change at once, then update the document and notify subscribers.

        Raises StoreError (document unchanged) if the store refuses it.
        """
        change = FindingChange(self._prefix + action, before, after)
        if change.finding.image_key != self.key:
            raise ValueError(f"finding {change.finding.id} belongs to {change.finding.image_key!r}")
        self.store.apply(change)
        if after is None:
            self._findings.pop(before.id, None)  # type: ignore[union-attr]
        else:
            self._findings[after.id] = after
        self._notify(change)
        return change

    def set_review_state(self, state: str) -> None:
        """Persist the image's review state ("unreviewed", "in progress", "reviewed"); not undoable."""
        self.store.set_review_state(self.key, state)
        self.image = self.image.replace(review_state=state)
        self._notify(None)

    def reload(self) -> None:
        """Re-read image and findings from the store (after another window changed them)."""
        self.image = self.store.image(self.key)
        self._findings = {f.id: f for f in self.store.findings(self.key)}
        self._notify(None)

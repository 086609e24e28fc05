"""Undoable edits of a :class:`ReviewDocument` and the undo/redo stack.

Each command is a dataclass with ``apply(doc)`` and ``revert(doc)``; both persist
at once through ``doc.write``. Commands that change one field capture the whole
finding before their first apply, so ``revert`` restores it exactly (including
``edited`` and the status). Box, label and type edits set ``edited=True``; moving or resizing an
undecided model box (or a box proposed at a click) makes it the reader's accepted finding
(:func:`mammoviewer.review.truth.reader_edit`), and undo gives it back as the candidate it was.

A view pushes commands on a :class:`CommandStack`::

    stack.push(MoveFinding(fid, before=box_at_drag_start, after=box_now))
    with stack.group("move"):          # one drag or multi-edit = one undo step
        stack.push(MoveFinding(...))
        stack.push(SetLabel(fid, "malignant"))
    stack.undo(); stack.redo()

Undo/redo writes appear in the audit log as ``"undo <action>"``/``"redo <action>"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from mammoviewer.review.document import ReviewDocument
from mammoviewer.review.records import Box, Finding
from mammoviewer.review.truth import reader_edit


class Command(Protocol):
    """What a :class:`CommandStack` holds."""

    @property
    def text(self) -> str: ...  # e.g. "move", shown as "Undo move"

    def apply(self, doc: ReviewDocument) -> None: ...

    def revert(self, doc: ReviewDocument) -> None: ...


@dataclass
class AddFinding:
    """Add a new finding (drawn by the reader)."""

    finding: Finding
    text: str = "add"

    def apply(self, doc: ReviewDocument) -> None:
        doc.write(self.text, None, self.finding)

    def revert(self, doc: ReviewDocument) -> None:
        doc.write(self.text, doc.finding(self.finding.id), None)


@dataclass
class DeleteFinding:
    """Delete a finding (undo restores it exactly, same id)."""

    finding_id: str
    text: str = "delete"
    _before: Finding | None = field(default=None, init=False, repr=False)

    def apply(self, doc: ReviewDocument) -> None:
        self._before = doc.finding(self.finding_id)
        doc.write(self.text, self._before, None)

    def revert(self, doc: ReviewDocument) -> None:
        doc.write(self.text, None, self._before)


@dataclass
class _Edit:
    """Base of the one-finding edits: ``_edit`` maps the current finding to the new one."""

    finding_id: str
    _before: Finding | None = field(default=None, init=False, repr=False)
    _after: Finding | None = field(default=None, init=False, repr=False)

    text = "edit"

    def _edit(self, f: Finding) -> Finding:
        raise NotImplementedError

    def apply(self, doc: ReviewDocument) -> None:
        self._before = doc.finding(self.finding_id)
        self._after = self._edit(self._before)
        doc.write(self.text, self._before, self._after)

    def revert(self, doc: ReviewDocument) -> None:
        doc.write(self.text, self._after, self._before)


@dataclass
class MoveFinding(_Edit):
    """Move/resize a box. ``before`` is the box at drag start (checked), ``after`` where it ended.

    A candidate (pending model finding, click proposal) becomes the reader's accepted finding."""

    before: Box | None = None
    after: Box | None = None
    text = "move"

    def _edit(self, f: Finding) -> Finding:
        if self.after is None:
            raise ValueError("MoveFinding needs the new box (after=...)")
        if self.before is not None and f.box != self.before:
            raise ValueError(f"finding {f.id} is at {f.box}, not at the drag start {self.before}")
        return reader_edit(f, box=self.after)


@dataclass
class SetLabel(_Edit):
    """Relabel a finding ("benign"/"malignant")."""

    label: str = "benign"
    text = "set label"

    def _edit(self, f: Finding) -> Finding:
        return f.replace(label=self.label, edited=True)


@dataclass
class SetType(_Edit):
    """Set the finding type ("mass", "calcification", ... or None)."""

    finding_type: str | None = None
    text = "set type"

    def _edit(self, f: Finding) -> Finding:
        return f.replace(finding_type=self.finding_type, edited=True)


@dataclass
class SetStatus(_Edit):
    """Accept or reject a finding ("pending", "accepted", "rejected")."""

    status: str = "accepted"
    text = "set status"

    def _edit(self, f: Finding) -> Finding:
        return f.replace(status=self.status)


@dataclass
class SetNote(_Edit):
    """Set the reader's free-text note."""

    note: str = ""
    text = "set note"

    def _edit(self, f: Finding) -> Finding:
        return f.replace(note=self.note)


@dataclass
class Group:
    """Several commands undone/redone as one step (built by ``CommandStack.group``)."""

    text: str
    commands: list[Any] = field(default_factory=list)

    def apply(self, doc: ReviewDocument) -> None:
        for c in self.commands:
            c.apply(doc)

    def revert(self, doc: ReviewDocument) -> None:
        for c in reversed(self.commands):
            c.revert(doc)


class CommandStack:
    """Unlimited undo/redo for one document; a push clears redo."""

    def __init__(self, doc: ReviewDocument) -> None:
        self.doc = doc
        self._undo: list[Command] = []
        self._redo: list[Command] = []
        self._groups: list[Group] = []
        self._listeners: list[Callable[[CommandStack], None]] = []

    def subscribe(self, callback: Callable[[CommandStack], None]) -> Callable[[], None]:
        """Call ``callback(stack)`` whenever can_undo/can_redo/texts may have changed."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _notify(self) -> None:
        for cb in list(self._listeners):
            cb(self)

    def push(self, command: Command) -> None:
        """Apply (and persist) ``command`` and make it undoable; an error leaves history as it was."""
        command.apply(self.doc)
        if self._groups:
            self._groups[-1].commands.append(command)
            return
        self._undo.append(command)
        self._redo.clear()
        self._notify()

    @contextmanager
    def group(self, text: str) -> Iterator[Group]:
        """Commands pushed inside become ONE undo step (applied at once, each persisted).

        If the block raises, what it already applied is reverted and the error re-raised.
        """
        g = Group(text)
        self._groups.append(g)
        try:
            yield g
        except BaseException:
            self._groups.pop()
            g.revert(self.doc)
            self._notify()
            raise
        self._groups.pop()
        if g.commands:
            if self._groups:
                self._groups[-1].commands.append(g)
            else:
                self._undo.append(g)
                self._redo.clear()
                self._notify()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) and not self._groups

    @property
    def can_redo(self) -> bool:
        return bool(self._redo) and not self._groups

    @property
    def undo_text(self) -> str:
        return self._undo[-1].text if self._undo else ""

    @property
    def redo_text(self) -> str:
        return self._redo[-1].text if self._redo else ""

    def undo(self) -> bool:
        """Revert the last step; False if there is none."""
        if not self.can_undo:
            return False
        cmd = self._undo[-1]
        with self.doc.acting_as("undo"):
            cmd.revert(self.doc)
        self._redo.append(self._undo.pop())
        self._notify()
        return True

    def redo(self) -> bool:
        """Re-apply the last undone step; False if there is none."""
        if not self.can_redo:
            return False
        cmd = self._redo[-1]
        with self.doc.acting_as("redo"):
            cmd.apply(self.doc)
        self._undo.append(self._redo.pop())
        self._notify()
        return True

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._notify()

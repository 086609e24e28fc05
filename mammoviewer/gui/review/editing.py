"""The reader's edits of the shown film, as undoable commands saved at once.

:class:`ReviewEditing` is the editing part of
:class:`~mammoviewer.gui.review.controller.ReviewController`, an object of its own that reads the
controller (``host``) for the film, the window, the overlay and the panel. Every edit is a command
of ``mammoviewer.review`` pushed on the film's :class:`~mammoviewer.review.CommandStack`; a
refused edit (another window changed the finding) is explained and the film reloaded.

Marking a film reviewed (Ctrl+Enter) with pending model candidates at or above the threshold asks
first (:func:`~mammoviewer.gui.review.review_state.ask_pending`): reject them (one undo step), leave
them pending, or cancel; the film's status then says what was left
(:func:`~mammoviewer.gui.review.review_state.film_status`).
"""

from __future__ import annotations

from typing import Any, Callable

from mammoviewer.errors import StoreError
from mammoviewer.gui.review.review_state import ask_pending, pending_above
from mammoviewer.review import (FINDING_TYPES, AddFinding, Box, DeleteFinding, Finding, MoveFinding,
                                SetLabel, SetNote, SetStatus, SetType)


class ReviewEditing:
    """Edit actions on the selected finding and the film (see the module docstring).

    ``ask`` answers the question of :meth:`toggle_reviewed` (default: a message box);
    it gets the parent window and the pending candidates and returns "reject", "leave" or "cancel".
    """

    def __init__(self, host: Any, ask: Callable[[Any, list[Finding], float], str] = ask_pending) -> None:
        self.host = host
        self.ask = ask

    @property
    def film(self) -> Any:
        return self.host.film

    def push(self, command: Any) -> bool:
        """Push ``command`` on the film's stack; a refused edit is explained, never raised."""
        if self.film is None:
            return False
        try:
            self.film.stack.push(command)
            return True
        except StoreError as exc:
            self.reload_after(exc)
        except (KeyError, ValueError) as exc:
            self.host.window.show_error(f"Edit not made: {exc}")
            self.host.redraw()
        return False

    def reload_after(self, exc: StoreError) -> None:
        """Another window changed the film: say so and show what the store holds now."""
        self.host.window.show_error(f"{exc}. The film was reloaded from the review store; "
                                    "your last edit was not applied.")
        if self.film is not None:
            self.film.stack.clear()
            try:
                self.film.doc.reload()
            except StoreError as again:
                self.host.window.show_error(str(again))
        self.host.redraw()

    def selected(self) -> Finding | None:
        fid = self.host.selected_id
        if self.film is None or fid is None:
            return None
        return next((f for f in self.host.findings() if f.id == fid), None)

    def set_status(self, status: str) -> None:
        f = self.selected()
        if f is not None and f.status != status:
            self.push(SetStatus(f.id, status=status))

    def toggle_status(self, status: str) -> None:
        """Accept/reject the selected finding; the same key again makes it pending."""
        f = self.selected()
        if f is not None:
            self.push(SetStatus(f.id, status="pending" if f.status == status else status))

    def set_label(self, label: str) -> None:
        f = self.selected()
        if f is not None and f.label != label:
            self.push(SetLabel(f.id, label=label))

    def set_type(self, finding_type: str | None) -> None:
        f = self.selected()
        if f is not None and f.finding_type != finding_type:
            self.push(SetType(f.id, finding_type=finding_type))

    def cycle_type(self) -> None:
        f = self.selected()
        if f is not None:
            order = (None, *FINDING_TYPES)
            self.set_type(order[(order.index(f.finding_type) + 1) % len(order)])

    def set_note(self, note: str, finding_id: str | None = None) -> None:
        """Set the note of ``finding_id`` (default: the selected finding)."""
        f = self.selected() if finding_id is None else self.film.doc.finding(finding_id) if self.film else None
        if f is not None and f.note != note:
            self.push(SetNote(f.id, note=note))

    def edit_note(self) -> None:
        if self.selected() is not None:
            self.host.panel.note_edit.setFocus()
            self.host.panel.note_edit.selectAll()

    def delete_selected(self) -> None:
        f = self.selected()
        if f is not None:
            self.push(DeleteFinding(f.id))
            self.host.select(None)

    def set_draw_mode(self, on: bool) -> None:
        self.host.overlay.set_draw_mode(bool(on) and self.film is not None)

    def box_edited(self, finding_id: str, before: Box, after: Box) -> None:
        self.push(MoveFinding(finding_id, before=before, after=after))

    def box_drawn(self, box: Box) -> None:
        if self.film is None:
            return
        f = Finding(image_key=self.film.doc.key, box=box, label="benign", source="reader", status="accepted")
        if self.push(AddFinding(f.with_provenance())):
            self.host.select(f.id)

    def undo(self) -> None:
        self._undo_redo("undo")

    def redo(self) -> None:
        self._undo_redo("redo")

    def _undo_redo(self, which: str) -> None:
        if self.film is None:
            return
        try:
            getattr(self.film.stack, which)()
        except StoreError as exc:
            self.reload_after(exc)
        except (KeyError, ValueError) as exc:
            self.host.window.show_error(f"Cannot {which}: {exc}")
            self.film.stack.clear()
            self.host.redraw()

    def set_review_state(self, state: str) -> None:
        if self.film is not None:
            try:
                self.film.doc.set_review_state(state)
            except StoreError as exc:
                self.reload_after(exc)

    def request_review_state(self, state: str) -> None:
        """The panel's state box: "reviewed" asks as Ctrl+Enter does; cancelling shows the state as it was."""
        if state != "reviewed":
            self.set_review_state(state)
        elif self.film is not None and self.film.doc.image.review_state != "reviewed":
            if self.mark_reviewed() == "cancelled":
                self.host.redraw()

    def toggle_reviewed(self) -> str:
        """Ctrl+Enter: mark the film reviewed (see :meth:`mark_reviewed`) or, when it is, in progress
        again ("in progress")."""
        if self.film is not None and self.film.doc.image.review_state == "reviewed":
            self.set_review_state("in progress")
            return "in progress"
        return self.mark_reviewed()

    def mark_reviewed(self) -> str:
        """Mark the film reviewed, asking first about pending candidates at or above the threshold.
        Returns what was done: "reviewed", "reviewed, rejected N", "cancelled" or "" (no film)."""
        if self.film is None:
            return ""
        threshold = self.host.panel.threshold
        pending = pending_above(self.host.findings(), threshold)
        answer = self.ask(self.host.window, pending, threshold) if pending else "leave"
        if answer == "cancel":
            return "cancelled"
        if answer == "reject":
            try:
                with self.film.stack.group(f"reject {len(pending)} pending"):
                    for f in pending:
                        self.film.stack.push(SetStatus(f.id, status="rejected"))
            except StoreError as exc:
                self.reload_after(exc)
                return "cancelled"
        self.set_review_state("reviewed")
        return f"reviewed, rejected {len(pending)}" if answer == "reject" and pending else "reviewed"

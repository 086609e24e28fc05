"""The reader's edits of the shown film, as undoable commands saved at once.

:class:`ReviewEditing` is the editing half of
:class:`~mammoviewer.gui.review.controller.ReviewController` (a mixin using its ``film``,
``window``, ``overlay``, ``panel``, ``select`` and ``_refresh``). Every edit is a command of
``mammoviewer.review`` pushed on the film's :class:`~mammoviewer.review.CommandStack`; a
refused edit (another window changed the finding) is explained and the film reloaded.
"""

from __future__ import annotations

from typing import Any

from mammoviewer.errors import StoreError
from mammoviewer.review import (FINDING_TYPES, AddFinding, Box, DeleteFinding, Finding, MoveFinding,
                                SetLabel, SetNote, SetStatus, SetType)


class ReviewEditing:
    """Edit actions on the selected finding and the film (see the module docstring)."""

    film: Any
    window: Any
    overlay: Any
    panel: Any

    def push(self, command: Any) -> bool:
        """Push ``command`` on the film's stack; a refused edit is explained, never raised."""
        if self.film is None:
            return False
        try:
            self.film.stack.push(command)
            return True
        except StoreError as exc:
            self._reload_after(exc)
        except (KeyError, ValueError) as exc:
            self.window.show_error(f"Edit not made: {exc}")
            self._refresh()
        return False

    def _reload_after(self, exc: StoreError) -> None:
        """Another window changed the film: say so and show what the store holds now."""
        self.window.show_error(f"{exc}. The film was reloaded from the review store; "
                               "your last edit was not applied.")
        if self.film is not None:
            self.film.stack.clear()
            try:
                self.film.doc.reload()
            except StoreError as again:
                self.window.show_error(str(again))
        self._refresh()

    def _selected(self) -> Finding | None:
        fid = self.selected_id
        if self.film is None or fid is None:
            return None
        return next((f for f in self.findings() if f.id == fid), None)

    def set_status(self, status: str) -> None:
        f = self._selected()
        if f is not None and f.status != status:
            self.push(SetStatus(f.id, status=status))

    def toggle_status(self, status: str) -> None:
        """Accept/reject the selected finding; the same key again makes it pending."""
        f = self._selected()
        if f is not None:
            self.push(SetStatus(f.id, status="pending" if f.status == status else status))

    def set_label(self, label: str) -> None:
        f = self._selected()
        if f is not None and f.label != label:
            self.push(SetLabel(f.id, label=label))

    def set_type(self, finding_type: str | None) -> None:
        f = self._selected()
        if f is not None and f.finding_type != finding_type:
            self.push(SetType(f.id, finding_type=finding_type))

    def cycle_type(self) -> None:
        f = self._selected()
        if f is not None:
            order = (None, *FINDING_TYPES)
            self.set_type(order[(order.index(f.finding_type) + 1) % len(order)])

    def set_note(self, note: str, finding_id: str | None = None) -> None:
        """Set the note of ``finding_id`` (default: the selected finding)."""
        f = self._selected() if finding_id is None else self.film.doc.finding(finding_id) if self.film else None
        if f is not None and f.note != note:
            self.push(SetNote(f.id, note=note))

    def edit_note(self) -> None:
        if self._selected() is not None:
            self.panel.note_edit.setFocus()
            self.panel.note_edit.selectAll()

    def delete_selected(self) -> None:
        f = self._selected()
        if f is not None:
            self.push(DeleteFinding(f.id))
            self.select(None)

    def set_draw_mode(self, on: bool) -> None:
        self.overlay.set_draw_mode(bool(on) and self.film is not None)

    def _on_box_edited(self, finding_id: str, before: Box, after: Box) -> None:
        self.push(MoveFinding(finding_id, before=before, after=after))

    def _on_box_drawn(self, box: Box) -> None:
        if self.film is None:
            return
        f = Finding(image_key=self.film.doc.key, box=box, label="benign", source="reader", status="accepted")
        if self.push(AddFinding(f.with_provenance())):
            self.select(f.id)

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
            self._reload_after(exc)
        except (KeyError, ValueError) as exc:
            self.window.show_error(f"Cannot {which}: {exc}")
            self.film.stack.clear()
            self._refresh()

    def set_review_state(self, state: str) -> None:
        if self.film is not None:
            try:
                self.film.doc.set_review_state(state)
            except StoreError as exc:
                self._reload_after(exc)

    def toggle_reviewed(self) -> None:
        if self.film is not None:
            reviewed = self.film.doc.image.review_state == "reviewed"
            self.set_review_state("in progress" if reviewed else "reviewed")


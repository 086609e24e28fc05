"""Marking a film reviewed: which model candidates are still undecided, the question asked about
them, and the one line that says what a reviewed film left undecided."""

from __future__ import annotations

from typing import Any, Iterable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtWidgets import QMessageBox

from mammoviewer.review import Finding
from mammoviewer.review.truth import is_pending


def pending_above(findings: Iterable[Finding], threshold: float) -> list[Finding]:
    """The model's undecided candidates scored at or above ``threshold`` (those the reader sees)."""
    return [f for f in findings if f.source == "model" and is_pending(f) and f.score is not None
            and f.score >= threshold]


def film_status(state: str, findings: Iterable[Finding], threshold: float) -> str:
    """The status line of a reviewed film, e.g. ``"Reviewed; 2 candidates ≥ 0.27 left pending (not truth)"``
    ("" for a film not marked reviewed: the state box says all)."""
    findings = list(findings)
    if state != "reviewed":
        return ""
    left = pending_above(findings, threshold)
    if not left:
        return "Reviewed; every candidate shown was decided"
    n = len(left)
    return (f"Reviewed; {n} candidate{'s' if n != 1 else ''} \u2265 {threshold:.2f} left pending "
            "(not truth)")


#: the buttons of :func:`ask_pending`, by answer
ANSWERS = {"reject": "Reject them", "leave": "Leave them pending", "cancel": "Cancel"}


def pending_question(pending: list[Finding], threshold: float) -> str:
    n = len(pending)
    scores = ", ".join(f"{f.score:.2f}" for f in sorted(pending, key=lambda f: -(f.score or 0.0))[:5])
    return (f"{n} model candidate{'s' if n != 1 else ''} at or above the threshold {threshold:.2f} "
            f"{'are' if n != 1 else 'is'} still pending (scores {scores}).\n\n"
            "Reject them (false positives, one undo step), leave them pending (not exported as truth; "
            "the film's status says so), or cancel?")


def ask_pending(parent: Any, pending: list[Finding], threshold: float) -> str:
    """Ask what to do with ``pending`` before the film is marked reviewed: "reject", "leave" or "cancel"."""
    box = QMessageBox(parent)
    box.setObjectName("pendingQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Mark film reviewed")
    box.setText(pending_question(pending, threshold))
    buttons = {}
    for answer, text in ANSWERS.items():
        role = {"reject": QMessageBox.ButtonRole.DestructiveRole, "leave": QMessageBox.ButtonRole.AcceptRole,
                "cancel": QMessageBox.ButtonRole.RejectRole}[answer]
        buttons[box.addButton(text, role)] = answer
    box.setDefaultButton(next(b for b, a in buttons.items() if a == "cancel"))
    box.exec()
    return buttons.get(box.clickedButton(), "cancel")


class WorklistStates:
    """The review state of each worklist film, as its badge shows it: read from ``host``'s session
    once per worklist or store, then kept in step with the shown film (no store read per edit)."""

    def __init__(self, host: Any) -> None:
        self.host = host
        self.states: dict[str, str] = {}  # review state per store key

    def read(self) -> None:
        """Read every film's review state from the store once (new worklist or store)."""
        from mammoviewer.errors import StoreError

        try:
            self.states = self.host.session.review_states()
        except StoreError:
            self.states = {}
        self.paint()

    def paint(self) -> None:
        from mammoviewer.review.keys import image_key

        worklist = self.host.window.worklist
        worklist.set_states({p: self.states.get(image_key(p), "unreviewed") for p in worklist.paths()})

    def note(self, film: Any) -> None:
        """Show ``film``'s review state in the worklist if it changed."""
        if film is not None and self.states.get(film.doc.key) != film.doc.image.review_state:
            self.states[film.doc.key] = film.doc.image.review_state
            self.paint()

"""The review's editing part alone (a real store, no window), and marking a film reviewed through the
real window: pending candidates at or above the threshold are asked about, and the film's status says
what was left."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from dialog_answers import answer_next_box
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from review_fakes import ScriptedDetector, review_on_film_a, write_films

from mammoviewer.gui.review.editing import ReviewEditing
from mammoviewer.io import load_image
from mammoviewer.review import ReviewStore
from mammoviewer.review.session import ReviewSession


class Host(SimpleNamespace):
    """The little of a controller that the editing part reads."""

    def findings(self):
        return self.film.doc.findings if self.film is not None else []

    def redraw(self):
        self.redraws += 1

    def select(self, finding_id, zoom=False):
        self.selected_id = finding_id


@pytest.fixture
def film_host(tmp_path: Path):
    films = write_films(tmp_path / "films")
    session = ReviewSession(ReviewStore.open(tmp_path / "review.sqlite", create=True))
    image = load_image(films / "a.pgm")
    session.store_detections(str(films / "a.pgm"), ScriptedDetector(), ScriptedDetector().detect(image), 0.05, image)
    host = Host(film=session.open_film(image), errors=[], redraws=0, selected_id=None,
                panel=SimpleNamespace(threshold=0.3), window=SimpleNamespace())
    host.window.show_error = host.errors.append
    yield host
    session.close()


def test_the_editing_part_alone_marks_reviewed_after_asking(film_host):
    asked = []

    def ask(parent, pending, threshold):
        asked.append(sorted(round(f.score, 2) for f in pending))
        return answers.pop(0)

    answers = ["cancel", "leave", "reject"]
    editing = ReviewEditing(film_host, ask=ask)
    doc = film_host.film.doc
    assert editing.toggle_reviewed() == "cancelled" and doc.image.review_state == "unreviewed"
    assert editing.toggle_reviewed() == "reviewed" and doc.image.review_state == "reviewed"
    assert all(f.status == "pending" for f in doc.findings)  # left as they were
    assert editing.toggle_reviewed() == "in progress"
    assert editing.toggle_reviewed() == "reviewed, rejected 2"
    assert asked == [[0.55, 0.91]] * 3  # only candidates at or above the threshold (not 0.12)
    assert sorted(f.status for f in doc.findings) == ["pending", "rejected", "rejected"]
    editing.undo()  # the rejections are one undo step
    assert all(f.status == "pending" for f in doc.findings)
    film_host.selected_id = doc.findings[0].id
    editing.toggle_status("accepted")
    assert doc.finding(film_host.selected_id).status == "accepted"


def test_ctrl_enter_asks_about_pending_candidates_and_the_status_says_what_was_left(qtbot, window, tmp_path):
    with review_on_film_a(qtbot, window, tmp_path) as review:
        seen: list[str] = []

        def ctrl_enter(answer: str) -> None:
            answer_next_box(answer, seen)
            QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            window.activateWindow()  # the offscreen platform does not give activation back
            qtbot.waitUntil(window.isActiveWindow, timeout=2000)

        ctrl_enter("Cancel")
        assert "2 model candidates at or above the threshold 0.30" in seen[-1]
        assert review.film.doc.image.review_state == "unreviewed" and review.panel.state_label.isHidden()
        ctrl_enter("Leave them pending")
        assert review.film.doc.image.review_state == "reviewed"
        assert window.worklist.state(tmp_path / "films" / "a.pgm") == "reviewed"
        status = review.panel.state_label
        assert status.isVisibleTo(review.panel) and "2 candidates \u2265 0.30 left pending" in status.text()
        QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # back: no question
        assert review.film.doc.image.review_state == "in progress" and len(seen) == 2
        ctrl_enter("Reject them")
        assert review.film.doc.image.review_state == "reviewed"
        shown = [f for f in review.findings() if f.score >= 0.3]
        assert [f.status for f in shown] == ["rejected", "rejected"]
        assert "every candidate shown was decided" in review.panel.state_label.text()
        # with nothing pending above the threshold, marking reviewed asks nothing
        QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert review.film.doc.image.review_state == "reviewed" and len(seen) == 3

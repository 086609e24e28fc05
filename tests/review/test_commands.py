from __future__ import annotations

import pytest

from mammoviewer.errors import StoreError
from mammoviewer.review import (
    AddFinding,
    Box,
    CommandStack,
    DeleteFinding,
    Finding,
    FindingChange,
    MoveFinding,
    ReviewDocument,
    ReviewStore,
    SetLabel,
    SetNote,
    SetStatus,
    SetType,
)

from .conftest import KEY


def _doc(store: ReviewStore) -> tuple[ReviewDocument, CommandStack]:
    doc = ReviewDocument.open(store, KEY)
    return doc, CommandStack(doc)


def _in_store(doc: ReviewDocument) -> list[Finding]:
    return doc.store.findings(doc.key)


def test_every_command_applies_reverts_and_persists_exactly(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    model = store.record_model_findings(
        KEY, "idbll", "1", [Finding(image_key=KEY, box=Box(100, 100, 150, 160), label="benign", score=0.8)]
    )[0]
    doc.reload()
    drawn = Finding(image_key=KEY, box=Box(5, 5, 25, 30), label="malignant")
    steps = [
        (AddFinding(drawn), lambda fs: drawn in fs),
        (MoveFinding(model.id, Box(100, 100, 150, 160), Box(90, 95, 140, 155)),
         lambda fs: doc.finding(model.id).box == Box(90, 95, 140, 155) and doc.finding(model.id).edited),
        (SetLabel(model.id, "malignant"), lambda fs: doc.finding(model.id).label == "malignant"),
        (SetType(model.id, "asymmetry"), lambda fs: doc.finding(model.id).finding_type == "asymmetry"),
        (SetStatus(model.id, "accepted"), lambda fs: doc.finding(model.id).status == "accepted"),
        (SetNote(model.id, "spiculated?"), lambda fs: doc.finding(model.id).note == "spiculated?"),
        (DeleteFinding(drawn.id), lambda fs: drawn.id not in {f.id for f in fs}),
    ]  # fmt: skip
    history = [doc.findings]
    for cmd, check in steps:
        stack.push(cmd)
        assert check(doc.findings), cmd
        assert _in_store(doc) == doc.findings
        history.append(doc.findings)
    assert doc.finding(model.id).original_box == Box(100, 100, 150, 160)  # provenance kept
    for expected in reversed(history[:-1]):
        assert stack.undo()
        assert sorted(doc.findings, key=lambda f: f.id) == sorted(expected, key=lambda f: f.id)
        assert sorted(_in_store(doc), key=lambda f: f.id) == sorted(expected, key=lambda f: f.id)
    assert not stack.undo()
    assert doc.finding(model.id) == model  # edited flag back to False too
    for expected in history[1:]:
        assert stack.redo()
        assert sorted(_in_store(doc), key=lambda f: f.id) == sorted(expected, key=lambda f: f.id)
    actions = [c.action for c in doc.corrections()]
    assert actions[1:8] == ["add", "move", "set label", "set type", "set status", "set note", "delete"]
    assert actions[8:15] == ["undo delete", "undo set note", "undo set status", "undo set type",
                             "undo set label", "undo move", "undo add"]  # fmt: skip
    assert actions[15:] == ["redo add", "redo move", "redo set label", "redo set type",
                            "redo set status", "redo set note", "redo delete"]  # fmt: skip


def test_push_clears_redo_and_texts_follow(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    f = Finding(image_key=KEY, box=Box(0, 0, 10, 10), label="benign")
    stack.push(AddFinding(f))
    stack.push(SetLabel(f.id, "malignant"))
    assert stack.undo_text == "set label"
    stack.undo()
    assert stack.can_redo and stack.redo_text == "set label"
    stack.push(SetNote(f.id, "n"))
    assert not stack.can_redo and not stack.redo()
    assert doc.finding(f.id).label == "benign" and doc.finding(f.id).note == "n"


def test_group_is_one_undo_step(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    f = Finding(image_key=KEY, box=Box(0, 0, 10, 10), label="benign")
    stack.push(AddFinding(f))
    with stack.group("move"):  # a drag: many moves, one step
        box = f.box
        for i in range(1, 6):
            new = box.translated(1, 2)
            stack.push(MoveFinding(f.id, box, new))
            box = new
        assert not stack.can_undo  # no undo in the middle of a drag
    assert doc.finding(f.id).box == Box(5, 10, 15, 20) == store.finding(f.id).box
    assert stack.undo_text == "move"
    stack.undo()
    assert doc.finding(f.id).box == Box(0, 0, 10, 10) == store.finding(f.id).box
    stack.undo()
    assert doc.findings == [] == _in_store(doc)
    stack.redo()
    stack.redo()
    assert doc.finding(f.id).box == Box(5, 10, 15, 20) == store.finding(f.id).box


def test_failing_group_is_rolled_back_and_not_recorded(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    f = Finding(image_key=KEY, box=Box(0, 0, 10, 10), label="benign")
    stack.push(AddFinding(f))
    with pytest.raises(ValueError, match="drag start"):
        with stack.group("move"):
            stack.push(MoveFinding(f.id, Box(0, 0, 10, 10), Box(1, 1, 11, 11)))
            stack.push(MoveFinding(f.id, Box(0, 0, 10, 10), Box(2, 2, 12, 12)))  # wrong start
    assert doc.finding(f.id).box == Box(0, 0, 10, 10) == store.finding(f.id).box
    assert stack.undo_text == "add"


def test_edit_from_another_window_is_refused_not_overwritten(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    f = Finding(image_key=KEY, box=Box(0, 0, 10, 10), label="benign")
    stack.push(AddFinding(f))
    other = ReviewDocument.open(store, KEY)
    CommandStack(other).push(SetLabel(f.id, "malignant"))
    with pytest.raises(StoreError, match="changed elsewhere"):
        stack.push(SetNote(f.id, "stale"))
    assert store.finding(f.id).label == "malignant" and store.finding(f.id).note == ""
    assert stack.undo_text == "add"
    doc.reload()
    stack.push(SetNote(f.id, "fresh"))
    assert store.finding(f.id).note == "fresh"


def test_subscribers_hear_every_change_until_unsubscribed(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    heard: list[tuple[str, str]] = []
    stack_heard: list[bool] = []
    stop = doc.subscribe(lambda d, ch: heard.append((ch.action if ch else "-", d.image.review_state)))
    stack.subscribe(lambda s: stack_heard.append(s.can_undo))
    f = Finding(image_key=KEY, box=Box(0, 0, 10, 10), label="benign")
    stack.push(AddFinding(f))
    stack.undo()
    doc.set_review_state("in progress")
    stop()
    stack.redo()
    assert heard == [("add", "unreviewed"), ("undo add", "unreviewed"), ("-", "in progress")]
    assert stack_heard == [True, False, True]
    assert store.image(KEY).review_state == "in progress"


def test_reopened_document_shows_findings_and_corrections_as_left(tmp_path) -> None:
    path = tmp_path / "s.mvstore"
    from mammoviewer.review import ImageRecord

    with ReviewStore.open(path) as s:
        s.add_image(ImageRecord(key=KEY, width=1024, height=1024))
        doc, stack = _doc(s)
        a = Finding(image_key=KEY, box=Box(0, 0, 10, 10), label="benign")
        b = Finding(image_key=KEY, box=Box(20, 20, 40, 40), label="malignant", finding_type="mass")
        stack.push(AddFinding(a))
        stack.push(AddFinding(b))
        stack.push(SetStatus(a.id, "rejected"))
        stack.push(MoveFinding(b.id, b.box, Box(21, 22, 41, 42)))
        stack.undo()
        doc.set_review_state("reviewed")
        left = (doc.findings, doc.corrections(), doc.image)
    with ReviewStore.open(path, create=False) as s:
        again = ReviewDocument.open(s, KEY)
        assert (again.findings, again.corrections(), again.image) == left
        assert again.finding(b.id).box == Box(20, 20, 40, 40)


def test_document_refuses_findings_of_other_images(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    with pytest.raises(ValueError, match="belongs to"):
        stack.push(AddFinding(Finding(image_key="/other.png", box=Box(0, 0, 1, 1), label="benign")))
    assert not stack.can_undo
    with pytest.raises(StoreError, match="no image"):
        ReviewDocument.open(store, "/other.png")
    assert isinstance(FindingChange("x", None, Finding(image_key=KEY, box=Box(0, 0, 1, 1), label="benign")).finding, Finding)


def test_moving_a_model_candidate_makes_it_the_readers_accepted_finding(store: ReviewStore) -> None:
    doc, stack = _doc(store)
    model = store.record_model_findings(
        KEY, "idbll", "1", [Finding(image_key=KEY, box=Box(100, 100, 150, 160), label="benign", score=0.3)]
    )[0]
    doc.reload()
    stack.push(MoveFinding(model.id, Box(100, 100, 150, 160), Box(100, 100, 170, 190)))  # a resize
    moved = _in_store(doc)[0]
    assert (moved.status, moved.edited, moved.box) == ("accepted", True, Box(100, 100, 170, 190))
    assert moved.original_box == Box(100, 100, 150, 160) and moved.source == "model"  # provenance kept
    stack.undo()
    assert _in_store(doc)[0] == model  # a pending candidate again, as the model gave it
    stack.redo()
    assert _in_store(doc)[0].status == "accepted"
    # a rejected box stays rejected when moved (the reader said it is no lesion)
    stack.push(SetStatus(model.id, "rejected"))
    stack.push(MoveFinding(model.id, Box(100, 100, 170, 190), Box(0, 0, 20, 20)))
    assert _in_store(doc)[0].status == "rejected"

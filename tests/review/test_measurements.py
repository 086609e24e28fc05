"""Measurements kept with the review: persisted at once, undone and redone with the findings' edits."""

from __future__ import annotations

import pytest

from mammoviewer.review import ReviewStore
from mammoviewer.review.commands import CommandStack
from mammoviewer.review.document import ReviewDocument
from mammoviewer.review.measurements import Measurement, SetMeasurements, measurements_of

KEY = "/films/mdb001.png"  # the image the store fixture holds


def test_add_move_undo_redo_and_reopen(store, tmp_path):
    doc = ReviewDocument.open(store, KEY)
    stack = CommandStack(doc)
    seen = []
    doc.subscribe(lambda d, change: seen.append(change))
    ruler = Measurement("ruler", (10, 20, 110, 20))
    stack.push(SetMeasurements((), (ruler,)))
    assert measurements_of(doc) == (ruler,) and seen == [None]
    moved = Measurement("ruler", (10, 20, 60, 20))
    ellipse = Measurement("ellipse", (5, 5, 50, 40))
    stack.push(SetMeasurements((ruler,), (moved, ellipse)))
    assert stack.undo_text == "measurement"
    stack.undo()
    assert measurements_of(doc) == (ruler,)
    stack.redo()
    assert measurements_of(doc) == (moved, ellipse)
    other = ReviewStore.open(store.path, create=False)  # what another window (or a restart) reads
    try:
        assert measurements_of(ReviewDocument.open(other, KEY)) == (moved, ellipse)
        assert other.findings(KEY) == [] and other.image(KEY).review_state == "unreviewed"
    finally:
        other.close()
    stack.push(SetMeasurements((moved, ellipse), ()))
    assert measurements_of(doc) == () and "measurements" not in store.image(KEY).metadata


def test_bad_measurements():
    with pytest.raises(ValueError, match="kind"):
        Measurement("circle", (0, 0, 1, 1))
    with pytest.raises(ValueError, match="4 coordinates"):
        Measurement("ruler", (0, 0, 1))

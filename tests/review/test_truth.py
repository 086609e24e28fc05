"""The truth rule: what the reader stands behind, what is still a candidate, what was rejected."""

from mammoviewer.review.records import Box, Finding
from mammoviewer.review.truth import is_pending, is_truth, split


def _f(source: str, status: str) -> Finding:
    return Finding(image_key="/f.pgm", box=Box(0, 0, 10, 10), label="benign", source=source, status=status,
                   score=0.5 if source == "model" else None)


def test_each_source_and_status_has_one_meaning():
    table = {
        ("model", "pending"): "pending",
        ("model", "accepted"): "truth",
        ("model", "rejected"): "rejected",
        ("reader", "pending"): "truth",
        ("reader", "accepted"): "truth",
        ("reader", "rejected"): "rejected",
        ("import", "pending"): "truth",
        ("import", "accepted"): "truth",
        ("import", "rejected"): "rejected",
    }
    for (source, status), want in table.items():
        f = _f(source, status)
        got = "truth" if is_truth(f) else "pending" if is_pending(f) else "rejected"
        assert got == want, (source, status)


def test_split_keeps_order_and_loses_nothing():
    fs = [_f("model", "pending"), _f("reader", "accepted"), _f("model", "rejected"), _f("model", "accepted")]
    s = split(fs)
    assert s.truth == [fs[1], fs[3]]
    assert s.pending == [fs[0]]
    assert s.rejected == [fs[2]]


def test_a_box_proposed_at_a_click_is_a_candidate_until_the_reader_keeps_it():
    proposal = Finding(image_key="/f.pgm", box=Box(0, 0, 10, 10), label="benign", source="reader",
                       status="pending", attributes={"located_from": [5.0, 5.0]})
    assert not is_truth(proposal) and is_pending(proposal)
    kept = proposal.replace(status="accepted")
    assert is_truth(kept) and not is_pending(kept)

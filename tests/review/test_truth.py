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


# ---- films -------------------------------------------------------------------------------------------
from mammoviewer.review.records import ImageRecord  # noqa: E402
from mammoviewer.review import truth  # noqa: E402


def _img(state: str = "reviewed", **kw) -> ImageRecord:
    return ImageRecord(key="/f.pgm", width=100, height=100, review_state=state, **kw)


def test_a_film_is_truth_only_when_reviewed_and_normal_only_without_a_finding():
    assert truth.film_truth(_img("unreviewed"), []) is None
    assert truth.film_truth(_img("in progress"), [_f("reader", "accepted")]) is None  # not asked for
    normal = truth.film_truth(_img(), [_f("model", "pending"), _f("model", "rejected")])
    assert normal is not None and normal.status == "reviewed" and normal.normal  # candidates and rejections: no lesion
    assert not truth.film_truth(_img(), [_f("reader", "pending")]).normal
    unlocated = _img(metadata={"mias_unlocated_rows": ["mdb216 D CALC M *NOTE 3* "]})
    assert not truth.film_truth(unlocated, []).normal  # a finding without a location is still a finding


def test_a_film_in_progress_gives_only_the_readers_decisions_and_is_never_normal():
    film = truth.film_truth(_img("in progress"), [_f("model", "pending"), _f("model", "rejected")],
                            include_in_progress=True)
    assert film is not None and film.status == "in progress" and not film.normal
    assert film.truth == [] and len(film.rejected) == 1
    # nothing decided yet (only the model's candidates): nothing to give
    assert truth.film_truth(_img("unreviewed"), [_f("model", "pending")], include_in_progress=True) is None


def test_films_that_are_not_mammograms_are_no_mammography_truth(monkeypatch):
    assert truth.not_mammography_reason(_img(modality="MG")) is None
    assert truth.not_mammography_reason(_img()) is None  # a PNG: modality unknown
    assert truth.not_mammography_reason(_img(modality="CT")) == "Modality CT, not a mammogram (MG)"
    assert truth.film_truth(_img(modality="US"), [_f("reader", "accepted")]) is None
    # a digitised screen-film mammogram stored as a secondary capture says so in Body Part Examined
    assert truth.not_mammography_reason(_img(modality="OT", metadata={"body_part_examined": "BREAST"})) is None
    assert truth.not_mammography_reason(_img(metadata={"breast_found": False})) == "no breast found on the film"
    # the checks can be extended
    monkeypatch.setattr(truth, "NOT_MAMMOGRAPHY_CHECKS",
                        truth.NOT_MAMMOGRAPHY_CHECKS + [lambda im: "a leg" if im.width == 100 else None])
    assert truth.not_mammography_reason(_img(modality="MG")) == "a leg"


def test_a_readers_edit_of_a_candidate_makes_it_the_readers_finding():
    moved = truth.reader_edit(_f("model", "pending"), box=Box(1, 1, 12, 12))
    assert (moved.status, moved.edited, moved.box) == ("accepted", True, Box(1, 1, 12, 12)) and is_truth(moved)
    proposal = Finding(image_key="/f.pgm", box=Box(0, 0, 10, 10), label="benign", source="reader",
                       status="pending", attributes={"located_from": [5.0, 5.0]})
    assert is_truth(truth.reader_edit(proposal, box=Box(0, 0, 20, 20)))
    assert truth.reader_edit(_f("model", "rejected"), box=Box(1, 1, 12, 12)).status == "rejected"


def test_pending_at_or_above_a_threshold():
    low, high, done = _f("model", "pending"), _f("model", "pending").replace(score=0.9), _f("model", "accepted")
    assert truth.pending_at_or_above([low, high, done], 0.6) == [high]

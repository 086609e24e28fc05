"""Caption placement: nested and touching boxes keep every caption readable."""

from __future__ import annotations

from mammoviewer.gui.review.caption_layout import CaptionRequest, place_captions, spot_rect


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_lone_box_has_its_caption_above():
    assert place_captions([CaptionRequest("a", (100, 100, 200, 200), (80, 16))]) == {"a": "above"}


def test_at_the_top_edge_the_caption_goes_inside():
    assert place_captions([CaptionRequest("a", (10, 5, 200, 200), (80, 16))], 1024) == {"a": "inside-top"}


def test_nested_boxes_get_captions_that_do_not_cover_each_other():
    requests = [CaptionRequest("outer", (100, 100, 300, 300), (90, 16)),  # priority order: best first
                CaptionRequest("middle", (110, 112, 250, 250), (90, 16)),
                CaptionRequest("inner", (112, 114, 200, 200), (90, 16))]
    spots = place_captions(requests, 1024)
    assert spots["outer"] == "above"
    rects = [spot_rect(r.box, r.size, spots[r.key]) for r in requests]
    assert not any(_overlaps(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_when_nothing_is_clear_the_first_fitting_spot_is_kept():
    big = (400, 64)  # every spot of the second box collides with the first caption or box edge spots
    requests = [CaptionRequest("a", (0, 100, 400, 164), big), CaptionRequest("b", (0, 100, 400, 164), big)]
    spots = place_captions(requests, 1024)
    assert spots["a"] == "above" and spots["b"] == "inside-top"

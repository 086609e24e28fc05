"""Caption placement: inside the pane, clear of each other, off other boxes' outlines."""

from __future__ import annotations

from mammoviewer.gui.review.caption_layout import CaptionRequest, crosses, overlaps, place_captions

PANE = (0.0, 0.0, 800.0, 600.0)


def test_a_lone_box_has_its_caption_above():
    placed = place_captions([CaptionRequest("a", (100, 100, 200, 200), (80, 16))], PANE)
    assert placed["a"].spot == "above" and placed["a"].rect == (100, 84, 180, 100)


def test_at_the_top_edge_the_caption_goes_inside_its_box():
    placed = place_captions([CaptionRequest("a", (10, 5, 200, 200), (80, 16))], PANE)
    assert placed["a"].spot == "inside-top" and placed["a"].rect[1] == 5


def test_at_the_pane_edge_the_caption_is_shifted_inside_never_cut():
    """A box at the chest wall (the pane's right edge): "malignant 0.87" is not cut to "mali"."""
    placed = place_captions([CaptionRequest("a", (760, 300, 800, 340), (120, 16))], PANE)
    x0, y0, x1, y1 = placed["a"].rect
    assert 0 <= x0 and x1 <= 800 and 0 <= y0 and y1 <= 600 and x1 - x0 == 120
    left = place_captions([CaptionRequest("a", (-30, 300, 20, 340), (120, 16))], PANE)["a"].rect
    assert left[0] == 0 and left[2] == 120  # a box half off the left edge: its caption starts at the edge


def test_nested_boxes_get_captions_that_do_not_cover_each_other_nor_cross_a_box():
    requests = [CaptionRequest("outer", (100, 100, 300, 300), (90, 16)),  # priority order: best first
                CaptionRequest("middle", (110, 112, 250, 250), (90, 16)),
                CaptionRequest("inner", (112, 114, 200, 200), (90, 16))]
    placed = place_captions(requests, PANE)
    assert placed["outer"].spot == "above"
    rects = [placed[r.key].rect for r in requests]
    assert not any(overlaps(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])


def test_a_caption_avoids_a_neighbouring_box():
    """Box b sits right above box a: a's caption goes where it crosses no outline (not over b)."""
    requests = [CaptionRequest("a", (100, 200, 220, 260), (80, 16)), CaptionRequest("b", (100, 150, 220, 195), (80, 16))]
    placed = place_captions(requests, PANE)
    for key in ("a", "b"):
        assert not any(crosses(placed[key].rect, r.box) for r in requests), (key, placed[key])

"""Finding boxes on the real canvas: geometry, look, threshold, one report per drag, draw tool."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from qt_events import mouse_drag
from review_fakes import FILM_COLS, FILM_ROWS, device_pos

from mammoviewer.review import Box, Finding

KEY = "/films/a.pgm"


def _finding(box, label="malignant", score=0.8, **kw) -> Finding:
    return Finding(image_key=KEY, box=Box.of(box), label=label, score=score, source=kw.pop("source", "model"), **kw)


@pytest.fixture
def overlay(image_view):
    import numpy as np

    from mammoviewer.gui.review.overlay import FindingOverlay
    from mammoviewer.io.image import Image, Window

    px = np.zeros((FILM_ROWS, FILM_COLS), np.uint16)
    image_view.set_image(Image(path=KEY, format="pgm", pixels=px, bits_stored=16),
                         Window(100.0, 200.0))
    ov = FindingOverlay(image_view)
    ov.set_image_size(FILM_COLS, FILM_ROWS)
    return ov


def test_boxes_sit_on_their_pixels_and_follow_the_display_transform(overlay, image_view):
    f = _finding((40, 30, 100, 80))
    overlay.set_findings([f])
    item = overlay.boxes[f.id]
    assert item.box() == f.box
    # the box's corners are drawn where image points (40, 30) and (100, 80) are, also rotated
    for turns in (0, 1):
        image_view.rotate(turns)
        for local, (col, row) in ((item.boundingRect().topLeft(), (40, 30)),
                                  (item.boundingRect().bottomRight(), (100, 80))):
            drawn = item.mapToScene(local)
            expected = image_view.image_item.mapToScene(col, row)
            assert (drawn - expected).manhattanLength() < 1e-6
    assert image_view.image_item.mapFromScene(item.mapToScene(0, 0)).x() == pytest.approx(40)


def test_caption_and_pen_tell_class_score_source_and_status(overlay):
    from mammoviewer.gui.review.overlay import CLASS_COLOURS, REJECTED_COLOUR, finding_caption

    model = _finding((40, 30, 100, 80), "malignant", 0.87)
    reader = _finding((150, 100, 190, 140), "benign", None, source="reader")
    edited = _finding((200, 20, 240, 60), "benign", 0.6, edited=True)
    rejected = _finding((10, 150, 50, 190), "malignant", 0.7, status="rejected")
    overlay.set_findings([model, reader, edited, rejected])
    b = overlay.boxes
    assert b[model.id].caption.textItem.toPlainText() == "malignant 0.87"
    assert finding_caption(reader) == "benign (reader)"
    assert finding_caption(rejected) == "malignant 0.70 \u2013 rejected"
    assert finding_caption(_finding((0, 0, 5, 5), "benign", 0.001)) == "benign <0.01"  # not a certainty
    assert b[model.id].pen.color() == CLASS_COLOURS["malignant"]
    assert b[reader.id].pen.color() == CLASS_COLOURS["benign"]
    assert b[model.id].pen.style() == Qt.PenStyle.SolidLine
    assert b[reader.id].pen.style() == Qt.PenStyle.DashLine
    assert b[edited.id].pen.style() == Qt.PenStyle.DashDotLine
    assert b[rejected.id].pen.color() == REJECTED_COLOUR and b[rejected.id].pen.style() == Qt.PenStyle.DotLine


def test_threshold_and_hide_filter_boxes_without_touching_findings(overlay):
    hi, lo = _finding((40, 30, 100, 80), score=0.9), _finding((150, 100, 190, 140), score=0.2)
    reader = _finding((200, 20, 240, 60), "benign", None, source="reader")
    overlay.set_findings([hi, lo, reader])
    overlay.set_threshold(0.5)
    assert set(overlay.shown_ids()) == {hi.id, reader.id}
    overlay.set_threshold(0.1)
    assert set(overlay.shown_ids()) == {hi.id, lo.id, reader.id}
    overlay.set_visible(False)
    assert overlay.shown_ids() == []
    overlay.set_visible(True)
    assert len(overlay.shown_ids()) == 3


def test_dragging_a_box_reports_one_move_at_the_end(overlay, image_view, qtbot):
    f = _finding((40, 30, 100, 80))
    overlay.set_findings([f])
    edits = []
    overlay.boxEdited.connect(lambda fid, before, after: edits.append((fid, before, after)))
    vp = image_view.graphics.viewport()
    start = device_pos(image_view, 70, 55)
    end = device_pos(image_view, 90, 65)
    mouse_drag(vp, start, end, Qt.MouseButton.LeftButton, steps=6)
    assert len(edits) == 1  # one report for the whole drag, not one per mouse move
    fid, before, after = edits[0]
    assert fid == f.id and before == f.box
    assert after.width == pytest.approx(60) and after.height == pytest.approx(50)
    assert after.x0 - before.x0 == pytest.approx(20, abs=2) and after.y0 - before.y0 == pytest.approx(10, abs=2)


def test_a_corner_handle_resizes_the_selected_box(overlay, image_view):
    f = _finding((40, 30, 100, 80))
    overlay.set_findings([f])
    assert overlay.boxes[f.id].getHandles() == []  # handles only on the selected box
    overlay.select(f.id)
    assert len(overlay.boxes[f.id].getHandles()) == 8
    edits = []
    overlay.boxEdited.connect(lambda fid, before, after: edits.append(after))
    mouse_drag(image_view.graphics.viewport(), device_pos(image_view, 100, 80),
               device_pos(image_view, 120, 100), Qt.MouseButton.LeftButton)
    assert len(edits) == 1
    assert (edits[0].x0, edits[0].y0) == pytest.approx((40, 30))  # opposite corner fixed
    assert (edits[0].x1, edits[0].y1) == pytest.approx((120, 100), abs=2)


def test_updating_from_the_model_moves_the_box_without_echo(overlay):
    f = _finding((40, 30, 100, 80))
    overlay.set_findings([f])
    edits = []
    overlay.boxEdited.connect(lambda *a: edits.append(a))
    moved = f.replace(box=Box(60, 40, 130, 95))
    overlay.set_findings([moved])  # e.g. an undo
    assert overlay.boxes[f.id].box() == moved.box and edits == []
    overlay.set_findings([])
    assert overlay.boxes == {}


def test_draw_mode_drafts_a_new_box_then_ends(overlay, image_view):
    drawn = []
    overlay.boxDrawn.connect(drawn.append)
    vp = image_view.graphics.viewport()
    rect = image_view.visible_rect()
    mouse_drag(vp, device_pos(image_view, 20, 20), device_pos(image_view, 60, 50), Qt.MouseButton.LeftButton)
    assert drawn == []  # not in draw mode: the drag pans
    assert image_view.visible_rect() != rect
    image_view.fit()
    overlay.set_draw_mode(True)
    mouse_drag(vp, device_pos(image_view, 20, 20), device_pos(image_view, 60, 50), Qt.MouseButton.LeftButton)
    assert len(drawn) == 1 and not overlay.draw_mode
    b = drawn[0]
    assert (b.x0, b.y0, b.x1, b.y1) == pytest.approx((20, 20, 60, 50), abs=1.5)
    overlay.set_draw_mode(True)
    mouse_drag(vp, device_pos(image_view, 20, 20), device_pos(image_view, 21, 21), Qt.MouseButton.LeftButton)
    assert len(drawn) == 1  # a slip of a pixel draws nothing


def test_a_drawn_box_stays_inside_the_image(overlay, image_view):
    drawn = []
    overlay.boxDrawn.connect(drawn.append)
    overlay.set_draw_mode(True)
    mouse_drag(image_view.graphics.viewport(), device_pos(image_view, 250, 150),
               device_pos(image_view, FILM_COLS + 40, FILM_ROWS + 40), Qt.MouseButton.LeftButton)
    assert len(drawn) == 1
    assert drawn[0].x1 <= FILM_COLS and drawn[0].y1 <= FILM_ROWS


def test_captions_of_nested_boxes_do_not_cover_each_other(overlay, image_view):
    outer = _finding((40, 60, 200, 180), "malignant", 0.9)
    middle = _finding((45, 66, 150, 150), "benign", 0.8)
    inner = _finding((48, 70, 120, 120), "malignant", 0.7)
    overlay.threshold = 0.5
    overlay.set_findings([outer, middle, inner])
    rects = [overlay.boxes[f.id].caption.sceneBoundingRect() for f in (outer, middle, inner)]
    assert all(r.width() > 0 for r in rects)
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    assert overlay.boxes[outer.id].caption_spot == "above"
    # zooming in changes the captions' size in image pixels: they are placed again, still apart
    image_view.view_box.scaleBy((0.5, 0.5))
    rects = [overlay.boxes[f.id].caption.sceneBoundingRect() for f in (outer, middle, inner)]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


def _viewport_scene_rect(view):
    from PySide6.QtCore import QRectF

    return QRectF(view.graphics.mapToScene(view.graphics.viewport().rect()).boundingRect())


def _box_scene_rect(view, box):
    from PySide6.QtCore import QPointF, QRectF

    return view.image_item.mapRectToScene(QRectF(QPointF(box.x0, box.y0), QPointF(box.x1, box.y1)))


def _crosses(caption, box):
    return caption.intersects(box) and not box.contains(caption)


@pytest.mark.parametrize("flip", [False, True])
def test_captions_stay_inside_the_pane_and_off_other_boxes(overlay, image_view, flip):
    """A box against the film's edge (the chest wall of a mirrored pane) keeps its whole caption in the pane,
    and a neighbour's caption does not cross it."""
    if flip:
        image_view.flip_horizontal()  # the chest wall of a right film, hung mirrored
    edge = _finding((FILM_COLS - 20, 100, FILM_COLS, 130), "malignant", 0.87)
    neighbour = _finding((FILM_COLS - 60, 60, FILM_COLS - 25, 95), "benign", 0.6)
    top = _finding((10, 0, 60, 30), "benign", 0.7)  # at the film's top edge
    overlay.threshold = 0.5
    overlay.set_findings([edge, neighbour, top])
    pane = _viewport_scene_rect(image_view)
    boxes = {f.id: _box_scene_rect(image_view, f.box) for f in (edge, neighbour, top)}
    for f in (edge, neighbour, top):
        caption = overlay.boxes[f.id].caption.sceneBoundingRect()
        assert pane.contains(caption), (f.label, caption, pane)  # never cut at the pane's edge
        assert not any(_crosses(caption, b) for fid, b in boxes.items() if fid != f.id), f.label
    assert overlay.boxes[edge.id].caption.textItem.toPlainText() == "malignant 0.87"
    # zoomed in on the edge box, its caption is placed again, still whole and inside
    image_view.view_box.scaleBy((0.5, 0.5), center=image_view.image_item.mapToParent(FILM_COLS - 10, 115))
    pane = _viewport_scene_rect(image_view)
    assert pane.contains(overlay.boxes[edge.id].caption.sceneBoundingRect())


def test_read_only_pane_captions_stay_inside_the_pane(image_view):
    import numpy as np

    from mammoviewer.gui.review.pane_findings import PaneFindings
    from mammoviewer.io.image import Image, Window

    image_view.set_image(Image(path=KEY, format="pgm", pixels=np.zeros((FILM_ROWS, FILM_COLS), np.uint16),
                               bits_stored=16), Window(100.0, 200.0))
    image_view.flip_horizontal()
    pane = PaneFindings(image_view)
    edge = _finding((FILM_COLS - 20, 100, FILM_COLS, 130), "malignant", 0.87)
    pane.set_findings([edge], 0.5)
    assert _viewport_scene_rect(image_view).contains(pane.captions[0].sceneBoundingRect())

import numpy as np
import pytest

from mammoviewer.detect import boxes as bx
from mammoviewer.detect.postprocess import PostConfig, postprocess

ANCHORS = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], float)
PROBS = np.array([[0.1, 0.8, 0.1], [0.1, 0.5, 0.4], [0.05, 0.05, 0.9]])


def _raw(offsets=None):
    off = np.zeros((3, 4)) if offsets is None else offsets
    return np.concatenate([np.log(PROBS), off], axis=1)


def test_class_wise_nms_golden():
    boxes, classes, scores = postprocess(_raw(), ANCHORS)
    assert classes.tolist() == [2, 1, 2, 1]
    np.testing.assert_allclose(scores, [0.9, 0.8, 0.4, 0.05])
    np.testing.assert_allclose(boxes, ANCHORS[[2, 0, 1, 2]])


def test_threshold_and_max_detections():
    _, classes, scores = postprocess(_raw(), ANCHORS, cfg=PostConfig(score_threshold=0.3))
    np.testing.assert_allclose(scores, [0.9, 0.8, 0.4])
    _, _, scores = postprocess(_raw(), ANCHORS, cfg=PostConfig(max_detections=2))
    np.testing.assert_allclose(scores, [0.9, 0.8])
    b, c, s = postprocess(_raw(), ANCHORS, cfg=PostConfig(score_threshold=0.95))
    assert b.shape == (0, 4) and c.size == 0 and s.size == 0


def test_offsets_are_decoded():
    target = np.array([[2, 3, 14, 12]], float)
    off = np.zeros((3, 4))
    off[0] = bx.encode(target, ANCHORS[:1])[0]
    boxes, classes, _ = postprocess(_raw(off), ANCHORS, cfg=PostConfig(score_threshold=0.6))
    assert classes.tolist() == [2, 1]
    np.testing.assert_allclose(boxes[1], target[0])


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match="3 anchors x 7"):
        postprocess(np.zeros((4, 7)), ANCHORS)


def test_cross_class_suppression_is_optional():
    # anchor 1 (class 2, 0.4) overlaps anchor 0 (class 1, 0.8) with IoU 0.68; anchor 2 is both classes
    _, classes, scores = postprocess(_raw(), ANCHORS, cfg=PostConfig(cross_class_iou=0.5))
    assert classes.tolist() == [2, 1] and np.allclose(scores, [0.9, 0.8])  # anchor 2 class 1 also overlaps
    _, classes, _ = postprocess(_raw(), ANCHORS, cfg=PostConfig(cross_class_iou=0.7))
    assert classes.tolist() == [2, 1, 2]  # IoU 0.68 < 0.7 survives; the same box in two classes does not


def test_lesion_score_mode_keeps_the_likelier_class_scored_by_lesion_probability():
    boxes, classes, scores = postprocess(_raw(), ANCHORS, cfg=PostConfig(score_mode="lesion"))
    # p(lesion) = 0.9, 0.9, 0.95; anchor 1 (benign 0.5 > malignant 0.4) joins class 1 and is
    # suppressed by anchor 0 (same class, IoU 0.68)
    assert classes.tolist() == [2, 1]
    np.testing.assert_allclose(scores, [0.95, 0.9])
    np.testing.assert_allclose(boxes, ANCHORS[[2, 0]])
    with pytest.raises(ValueError, match="unknown score_mode"):
        postprocess(_raw(), ANCHORS, cfg=PostConfig(score_mode="max"))


def test_flip_index_is_an_involution_that_mirrors_the_anchors():
    from mammoviewer.detect.anchors import AnchorSpec, flip_index, generate_anchors

    m = AnchorSpec().multiple
    height, width = 2 * m, 3 * m
    anchors = generate_anchors(height, width, AnchorSpec())
    for h, v in ((True, False), (False, True), (True, True)):
        index = flip_index(anchors, width, height, h, v)
        assert np.array_equal(index[index], np.arange(len(anchors)))
        image = anchors[index]
        if h:
            assert np.allclose(image[:, 0], width - anchors[:, 2]) and np.allclose(image[:, 2], width - anchors[:, 0])
        if v:
            assert np.allclose(image[:, 1], height - anchors[:, 3]) and np.allclose(image[:, 3], height - anchors[:, 1])


def test_merging_the_output_of_an_equivariant_model_changes_nothing():
    from mammoviewer.detect.anchors import AnchorSpec, flip_index, generate_anchors
    from mammoviewer.detect.postprocess import merge_flipped

    side = 2 * AnchorSpec().multiple
    anchors = generate_anchors(side, side, AnchorSpec())
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(len(anchors), 3 + 4))
    flipped = []
    for h, v in ((True, False), (False, True), (True, True)):
        index = flip_index(anchors, side, side, h, v)
        out = raw[index].copy()  # what a flip-equivariant model says on the flipped film
        out[:, 3] *= -1 if h else 1
        out[:, 4] *= -1 if v else 1
        flipped.append((out, index, h, v))
    assert np.allclose(merge_flipped(raw, flipped, 3), raw)
    # a model that ignores the flip is averaged: the logits are the mean over the four outputs
    same = [(raw.copy(), idx, h, v) for _, idx, h, v in flipped]
    merged = merge_flipped(raw, same, 3)
    assert np.allclose(merged[:, :3], np.mean([raw[:, :3]] + [raw[idx, :3] for _, idx, _, _ in same], axis=0))


def test_containment_drops_a_box_nested_in_a_better_one_of_any_class():
    from mammoviewer.detect.postprocess import containment_suppression

    boxes = np.array([[0, 0, 100, 100], [30, 30, 50, 50], [90, 90, 130, 130], [200, 200, 210, 210]], float)
    # box 1 lies wholly inside box 0 (IoU 0.04, so NMS keeps it); box 2 has 1/16 of itself inside box 0
    assert containment_suppression(boxes, 0.7).tolist() == [0, 2, 3]
    assert containment_suppression(boxes, 0.05).tolist() == [0, 3]
    assert containment_suppression(boxes[[1, 0]], 0.7).tolist() == [0]  # a better small box drops the big one
    probs = np.array([[0.1, 0.8, 0.1], [0.3, 0.1, 0.6], [0.9, 0.05, 0.05]])
    raw = np.concatenate([np.log(probs), np.zeros((3, 4))], axis=1)
    nested = np.array([[0, 0, 100, 100], [30, 30, 50, 50], [300, 300, 310, 310]], float)
    _, classes, scores = postprocess(raw, nested, cfg=PostConfig(score_mode="lesion"))
    assert classes.tolist() == [1, 2, 1] and np.allclose(scores, [0.9, 0.7, 0.1])  # NMS keeps the nest
    _, classes, scores = postprocess(raw, nested, cfg=PostConfig(score_mode="lesion", containment=0.7))
    assert classes.tolist() == [1, 1] and np.allclose(scores, [0.9, 0.1])  # the malignant box inside goes


def test_parse_flips_reads_a_comma_list_and_refuses_unknown_names():
    import pytest

    from mammoviewer.detect.postprocess import parse_flips

    assert parse_flips("hflip") == ("hflip",) and parse_flips("hflip, vflip") == ("hflip", "vflip")
    assert parse_flips("none") == () and parse_flips("") == ()
    with pytest.raises(ValueError, match="unknown flip 'spin'"):
        parse_flips("hflip,spin")


def test_merge_scales_suppresses_across_scales_and_classes():
    from mammoviewer.detect.postprocess import merge_scales

    cfg = PostConfig(nms_iou=0.3, containment=0.7, max_detections=3)
    a = (np.array([[0, 0, 10, 10], [50, 50, 60, 60]], float), np.array([1, 2]), np.array([0.9, 0.4]))
    b = (np.array([[1, 1, 11, 11], [52, 52, 55, 55], [100, 100, 120, 120], [200, 0, 210, 5]], float),
         np.array([2, 1, 1, 1]), np.array([0.95, 0.5, 0.3, 0.2]))
    boxes, classes, scores = merge_scales([a, b], cfg)
    # [1,1,11,11] (0.95) drops [0,0,10,10] though their classes differ; [52,52,55,55] lies inside
    # [50,50,60,60] but scores higher, so the larger box is the one dropped; cut to 3
    assert scores.tolist() == [0.95, 0.5, 0.3]
    assert classes.tolist() == [2, 1, 1]
    assert boxes[1].tolist() == [52, 52, 55, 55]
    empty = (np.zeros((0, 4)), np.zeros(0, np.int64), np.zeros(0))
    assert len(merge_scales([empty, empty], cfg)[2]) == 0

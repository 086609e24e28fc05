import numpy as np
import pytest

from mammoviewer.detect import metrics as mt


def _froc_case():
    truths = [mt.Truth("A", (0, 0, 10, 10), "benign", "CIRC"), mt.Truth("B", (100, 100, 120, 120), "malignant", "SPIC")]
    preds = [
        mt.Prediction("A", (2, 2, 8, 8), "benign", 0.9),  # centre inside A's circle: hit
        mt.Prediction("A", (50, 50, 60, 60), "benign", 0.8),  # FP
        mt.Prediction("B", (0, 0, 5, 5), "benign", 0.7),  # FP
        mt.Prediction("B", (105, 105, 125, 125), "malignant", 0.6),  # centre 7.1 px from B's: hit
        mt.Prediction("A", (3, 3, 9, 9), "malignant", 0.5),  # A already hit: neither
    ]
    return preds, truths


def test_froc_golden():
    preds, truths = _froc_case()
    f = mt.froc(preds, truths, n_images=2)
    assert f.hit_scores.tolist() == [0.9, 0.6]
    assert f.fp_scores.tolist() == [0.8, 0.7]
    assert f.sensitivity_at(0.25) == 0.5  # no FP allowed
    assert f.sensitivity_at(0.5) == 0.5  # one FP allowed: the 0.7 one is cut
    assert f.sensitivity_at(1.0) == 1.0
    assert f.threshold_at(1.0) == 0.0 and 0.7 < f.threshold_at(0.5) < 0.70001
    assert f.sensitivity_at(4.0, mask=np.array([False, True])) == 1.0
    x, y = f.curve()
    assert x.tolist() == [0.0, 0.5, 1.0] and y.tolist() == [0.5, 0.5, 1.0]


def test_froc_hit_by_iou_when_centre_is_outside_the_circle():
    truths = [mt.Truth("A", (0, 0, 100, 100), "benign")]
    corner = mt.Prediction("A", (0, 0, 60, 60), "benign", 0.5)  # centre (30,30): 28 px from (50,50) -> inside
    off = mt.Prediction("A", (-40, -40, 40, 40), "benign", 0.4)  # centre (0,0) outside, IoU 1600/14800 < .3
    f = mt.froc([corner], truths, 1)
    assert f.hit_scores.tolist() == [0.5]
    assert mt.froc([off], truths, 1).fp_scores.tolist() == [0.4]


def test_ap_golden_all_point_and_20_point():
    truths = [mt.Truth(r, (0, 0, 10, 10), "benign") for r in ("A", "B")]
    preds = [
        mt.Prediction("A", (0, 0, 10, 10), "benign", 0.9),
        mt.Prediction("A", (0, 0, 10, 10), "benign", 0.8),  # duplicate: FP
        mt.Prediction("B", (50, 50, 60, 60), "benign", 0.7),
        mt.Prediction("B", (0, 0, 10, 10), "benign", 0.6),
        mt.Prediction("B", (0, 0, 10, 10), "malignant", 0.99),  # other label: ignored
    ]
    pr = mt.precision_recall(preds, truths, "benign")
    np.testing.assert_allclose(pr.recall, [0.5, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(pr.precision, [1.0, 0.5, 1 / 3, 0.5])
    assert pr.ap_all_point == pytest.approx(0.75)
    assert pr.ap_20_point == pytest.approx(0.75)


def test_ap_where_the_interpolations_differ():
    truths = [mt.Truth(r, (0, 0, 10, 10), "malignant") for r in ("A", "B", "C")]
    preds = [
        mt.Prediction("A", (0, 0, 10, 10), "malignant", 0.9),
        mt.Prediction("B", (20, 20, 30, 30), "malignant", 0.8),
        mt.Prediction("B", (1, 0, 11, 10), "malignant", 0.7),  # IoU 90/110 >= 0.5
    ]
    pr = mt.precision_recall(preds, truths, "malignant")
    assert pr.ap_all_point == pytest.approx(5 / 9)
    assert pr.ap_20_point == pytest.approx(0.55)
    assert np.isnan(mt.precision_recall(preds, truths, "benign").ap_all_point)


def test_summarise_has_every_figure():
    preds, truths = _froc_case()
    s = mt.summarise(preds, truths, 2)
    assert set(s["froc"]) == {"0.25", "0.5", "1", "2", "4"}
    assert s["froc"]["1"] == 1.0
    assert s["froc_by_class"]["SPIC"]["lesions"] == 1 and s["froc_by_class"]["SPIC"]["1"] == 1.0
    assert s["ap"]["malignant"]["lesions"] == 1
    assert s["map_voc"] == pytest.approx(np.mean([s["ap"]["benign"]["ap_voc"], s["ap"]["malignant"]["ap_voc"]]))


def test_size_groups_by_diameter_in_mm():
    assert mt.size_group((0, 0, 49, 49), 0.2) == "<10 mm"  # 9.8 mm
    assert mt.size_group((0, 0, 50, 50), 0.2) == "10-20 mm"  # 10 mm: the lower bound is in
    assert mt.size_group((0, 0, 100, 100), 0.2) == "20-40 mm"
    assert mt.size_group((0, 0, 400, 400), 0.2) == ">=40 mm"


def test_froc_by_size_counts_each_group_with_lesions():
    """A is 10 px (2 mm at 0.2 mm), B 20 px (4 mm): both under 10 mm; at 0.5 mm/px B is 10 mm."""
    preds, truths = _froc_case()
    assert "froc_by_size" not in mt.summarise(preds, truths, 2)
    s = mt.summarise(preds, truths, 2, pixel_mm=0.2)["froc_by_size"]
    assert list(s) == ["<10 mm"] and s["<10 mm"]["lesions"] == 2 and s["<10 mm"]["1"] == 1.0
    s = mt.summarise(preds, truths, 2, pixel_mm=0.5)["froc_by_size"]
    assert s["<10 mm"]["lesions"] == 1 and s["10-20 mm"]["lesions"] == 1
    assert s["<10 mm"]["0.25"] == 1.0 and s["10-20 mm"]["0.25"] == 0.0  # A's hit outscores both FPs, B's does not

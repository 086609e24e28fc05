import numpy as np
import pytest

from mammoviewer.detect import evaluation as ev
from mammoviewer.detect.data import Film, Lesion


def test_aggregate_folds_mean_and_sd():
    folds = [
        {"froc": {"1": 0.5, "0.25": 0.1}, "map_voc": 0.2, "ap": {"benign": {"ap_voc": float("nan")}}},
        {"froc": {"1": 0.7, "0.25": 0.2}, "map_voc": 0.4, "ap": {"benign": {"ap_voc": 0.3}}},
        {"froc": {"1": 0.9, "0.25": 0.3}, "map_voc": 0.6, "ap": {"benign": {"ap_voc": 0.5}}},
    ]
    agg = ev.aggregate_folds(folds)
    assert agg["froc"]["1"]["mean"] == pytest.approx(0.7) and agg["froc"]["1"]["sd"] == pytest.approx(0.2)
    assert agg["map_voc"]["n"] == 3 and agg["froc"]["0.25"]["mean"] == pytest.approx(0.2)
    assert agg["ap"]["benign"]["ap_voc"] == {"mean": pytest.approx(0.4), "sd": pytest.approx(np.sqrt(0.02)), "n": 2}


def test_clean_makes_json_safe_values():
    assert ev.clean({"a": float("nan"), "b": [np.float32(0.5), np.int64(3)], "c": "x"}) == \
        {"a": None, "b": [0.5, 3], "c": "x"}


def test_truths_of_films():
    films = [Film("mdb001", 1, "p", (Lesion((1, 2, 3, 4), "benign", "CIRC"),), "benign"),
             Film("mdb002", 1, "q", (), "normal")]
    t = ev.truths_of(films)
    assert len(t) == 1 and t[0].film == "mdb001" and t[0].cls == "CIRC" and t[0].box == (1, 2, 3, 4)

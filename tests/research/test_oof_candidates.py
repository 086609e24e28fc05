"""Reading the out-of-fold candidate lists back from the fold figures."""

import json

from mammoviewer.research import oof_candidates as oof


def test_candidates_off_the_breast_are_dropped(tmp_path):
    doc = {"2": {"predictions": [["a", [0, 0, 1, 1], "benign", 0.1], ["a", [0, 0, 2, 2], "benign", 0.9],
                                 ["a", [0, 0, 3, 3], "benign", 0.5], ["b", [0, 0, 1, 1], "benign", 0.2]],
                 "inside_breast": [True, False, True, False]}}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(doc))
    got, fold_of = oof.load_inside([path])
    assert [p[2] for p in got["a"]] == [0.5, 0.1] and got["b"] == []
    assert fold_of == {"a": 2, "b": 2}

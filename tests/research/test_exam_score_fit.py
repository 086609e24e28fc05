"""The exam score's decile edges fitted from out-of-fold candidate lists of a small MIAS-like set."""

from __future__ import annotations

import json

import numpy as np

from mammoviewer.classify.exam_score import ExamScale
from mammoviewer.research import exam_score_fit


def test_edges_come_from_normal_exams_only(tmp_path):
    images = tmp_path / "mias"
    images.mkdir()
    rows, refs = [], []
    for n in range(1, 41):  # 20 patients: 1-12 normal, 13-20 with a mass on the right film
        ref = f"mdb{n:03d}"
        refs.append(ref)
        (images / f"{ref}.pgm").write_bytes(b"P5\n1 1\n255\n\x00")
        patient = (n + 1) // 2
        rows.append(f"{ref} G CIRC M 500 500 20" if patient > 12 and n % 2 else f"{ref} G NORM")
    (images / "Info.txt").write_text("\r\n".join(rows) + "\r\n")
    split = {"folds": [{"films": refs[k::5]} for k in range(5)]}
    (tmp_path / "split.json").write_text(json.dumps(split))
    rng = np.random.default_rng(0)
    figures = {}
    for k, fold in enumerate(split["folds"]):
        preds = []
        for ref in fold["films"]:
            n = int(ref[3:])
            strong = (n + 1) // 2 > 12 and n % 2
            for s in ([0.9, 0.8] if strong else []) + list(rng.uniform(0, 0.3, 3)):
                preds.append([ref, [0, 0, 1, 1], "benign", float(s)])
        figures[str(k)] = {"predictions": preds}
    (tmp_path / "figures.json").write_text(json.dumps(figures))
    card = {"case_score": {"slope": 3.0, "intercept": -3.0, "top_k": 3,
                           "contralateral": {"slope": 3.0, "intercept": -1.0, "top_k": 3}}}
    (tmp_path / "card.json").write_text(json.dumps(card))
    assert exam_score_fit.main(["--figures", str(tmp_path / "figures.json"), "--split", str(tmp_path / "split.json"),
                                "--images", str(images), "--out", str(tmp_path / "out.json"),
                                "--card", str(tmp_path / "card.json")]) == 0  # fmt: skip
    block = json.loads((tmp_path / "card.json").read_text())["case_score"]["exam_score"]
    assert (block["normal_exams"], block["exams"]) == (12, 20)
    assert sum(block["spread"]["normal"]) == 12 and block["spread"]["normal"][-1] <= 2
    assert block["spread"]["abnormal"] == [0] * 9 + [8]  # every exam with a strong finding scores 10
    assert ExamScale.from_card(json.loads((tmp_path / "card.json").read_text())) is not None

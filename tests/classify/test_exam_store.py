"""Exam scores of studies from the detector findings in a real review store."""

from __future__ import annotations

from mammoviewer.classify.exam_store import exam_scores, load_case_card
from mammoviewer.review.keys import image_key
from mammoviewer.review.records import Box, Finding, ImageRecord
from mammoviewer.review.store import ReviewStore
from mammoviewer.studies.films import Film
from mammoviewer.studies.grouping import Study

CARD = {"case_score": {"slope": 3.0, "intercept": -3.0, "top_k": 3,
                       "contralateral": {"slope": 3.0, "intercept": -1.0, "top_k": 3},
                       "exam_score": {"edges": [0.1 * i for i in range(1, 10)]}}}


def _study(tmp_path, name: str) -> Study:
    films = tuple(Film(path=str(tmp_path / f"{name}{side}.png"), patient=name, study=name, laterality=side, view="MLO")
                  for side in ("R", "L"))
    return Study(name, name, None, films)


def test_exam_scores_from_stored_model_findings(tmp_path):
    strong, weak, unrun = _study(tmp_path, "a"), _study(tmp_path, "b"), _study(tmp_path, "c")
    with ReviewStore.open(tmp_path / "s.mvreview") as store:
        for study, scores in ((strong, [0.9, 0.8, 0.7]), (weak, [0.05])):
            for film in study.films:
                key = image_key(film.path)
                store.add_image(ImageRecord(key=key, width=10, height=10))
                found = [Finding(image_key=key, box=Box(0, 0, 1, 1), label="benign", score=s)
                         for s in (scores if film.laterality == "R" else [0.05])]
                store.record_model_findings(key, "idbll-light", "1.4", found, threshold=0.01)
        # a reader's rejection does not change the model's opinion
        rejected = store.findings(image_key(strong.films[0].path))[0]
        from mammoviewer.review.records import FindingChange
        store.apply(FindingChange("reject", rejected, rejected.replace(status="rejected", score=0.0)))
        got = exam_scores([strong, weak, unrun], store, CARD)
    assert got[0] == 10 and got[1] is not None and got[1] < 5 and got[2] is None
    assert exam_scores([strong], store, {"case_score": {"slope": 1.0, "intercept": 0.0}}) == [None]


def test_the_bundled_card_reads():
    card = load_case_card()
    assert "case_score" in card

"""The studies panel: exam scores shown, and the reader's choice of order."""

from __future__ import annotations

from mammoviewer.gui.viewer.study_list import StudyList
from mammoviewer.studies.films import Film
from mammoviewer.studies.grouping import Study


def _study(patient: str, date: str) -> Study:
    films = (Film(path=f"/x/{patient}-{date}-R.png", patient=patient, study=f"{patient}-{date}", date=date,
                  laterality="R", view="CC"),)
    return Study(patient, f"{patient}-{date}", date, films)


def test_exam_scores_and_suspicious_first(qapp):
    studies = [_study("A", "2019-01-01"), _study("A", "2021-01-01"), _study("B", "2020-01-01"), _study("C", "2020-01-01")]
    panel = StudyList()
    panel.set_studies(studies)
    panel.set_exam_scores([2, 5, 10, None])
    assert panel.display_order() == [0, 1, 2, 3]  # the default order stays as listed
    assert panel._items[2].text(0).startswith("[10] ")
    assert not panel._items[3].text(0).startswith("[")
    panel.set_current(1)
    panel.set_order("exam score")
    assert panel.display_order() == [2, 1, 0, 3]  # patient B (10) first, then A's studies by score, C unscored
    assert panel.tree.currentItem() is panel._items[1]
    chosen = []
    panel.studyChosen.connect(chosen.append)
    panel._on_item(panel._items[2])
    assert chosen == [2]
    panel.set_order("as listed")
    assert panel.display_order() == [0, 1, 2, 3]

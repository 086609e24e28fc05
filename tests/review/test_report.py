"""Report records: BI-RADS categories, recommendations, JSON round trip."""

from __future__ import annotations

import pytest

from mammoviewer.review.report import BIRADS, ReportFinding, StudyReport, overall_category, recommendation


def _report() -> StudyReport:
    f = ReportFinding(id="a", laterality="R", views=("CC", "MLO"), clock=10, quadrant="upper outer",
                      depth="middle", nipple_mm=45.5, size_mm=12.25, finding_type="mass", label="malignant",
                      note="spiculated", finding_ids=("f1", "f2"), image_keys=("/x/rcc.dcm", "/x/rmlo.dcm"))
    return StudyReport(study="1.2.3", patient="P1", composition="c", findings=(f,), right=4, left=1, text="ok")


def test_json_round_trip_keeps_everything():
    r = _report()
    back = StudyReport.from_json(r.to_json())
    assert back == r and back.findings[0].views == ("CC", "MLO")


@pytest.mark.parametrize("right, left, overall", [(1, 1, 1), (2, 1, 2), (3, 0, 0), (0, 4, 4), (6, 3, 6),
                                                  (5, 6, 5), (None, 2, 2), (None, None, None)])
def test_overall_is_the_most_worrying_breast(right, left, overall):
    assert overall_category(right, left) == overall
    assert StudyReport(study="s", right=right, left=left).overall_or_derived == overall


def test_recommendations_follow_the_category():
    assert recommendation(4) == "Tissue diagnosis" == recommendation(5)
    assert "6-month" in recommendation(3)
    assert recommendation(1) == "Routine mammography screening"
    assert "Recall" in recommendation(0)
    assert recommendation(None) == ""
    assert sorted(BIRADS) == list(range(7))


@pytest.mark.parametrize("changes, message", [({"right": 7}, "BI-RADS"), ({"left": 2.5}, "BI-RADS"),
                                              ({"composition": "x"}, "composition"), ({"study": ""}, "study")])
def test_bad_values_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _report().replace(**changes)


def test_clock_and_side_are_checked():
    with pytest.raises(ValueError, match="clock"):
        ReportFinding(id="a", laterality="R", clock=13)
    with pytest.raises(ValueError, match="laterality"):
        ReportFinding(id="a", laterality="B")

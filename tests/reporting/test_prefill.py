"""Report findings from film findings: one lesion on CC and MLO, one-view halves, sizes, the density hook."""

from __future__ import annotations

from mammoviewer.geometry.breast_position import Landmarks
from mammoviewer.reporting.composition import composition_of
from mammoviewer.reporting.content import narrative, sections
from mammoviewer.reporting.prefill import FilmFacts, _position, _Seen, pair_views, report_finding
from mammoviewer.review.records import Box, Finding
from mammoviewer.review.report import StudyReport
from mammoviewer.studies.films import Film

# right breast, chest wall on the right (x = 1000), nipple at (100, 500); 0.1 mm pixels
MARKS = Landmarks(nipple=(100.0, 500.0), chest_wall_x=1000.0)


def _seen(view: str, box: Box, ftype: str | None = "mass", side: str = "R", spacing: float | None = 0.1) -> _Seen:
    film = Film(path=f"/x/{side}{view}.dcm", patient="p", study="s", laterality=side, view=view)
    f = Finding(image_key=film.path, box=box, label="malignant", finding_type=ftype, status="accepted")
    facts = FilmFacts(film, film.path, spacing, MARKS, (f,))
    return _Seen(f, facts, _position(f, facts))


def test_a_cc_and_an_mlo_finding_at_the_same_distance_are_one_lesion_with_a_clock():
    cc = _seen("CC", Box(480, 280, 520, 320))  # 40 mm deep, 20 mm lateral (up on a standard CC)
    mlo = _seen("MLO", Box(480, 580, 520, 620))  # 40 mm deep, 10 mm inferior
    far = _seen("MLO", Box(880, 480, 920, 520))  # 80 mm deep: another lesion
    groups = pair_views([cc, mlo, far])
    assert [len(g) for g in groups] == [2, 1]
    f = report_finding(groups[0])
    assert (f.laterality, f.views, f.clock, f.quadrant, f.depth) == ("R", ("CC", "MLO"), 8, "lower outer", "middle")
    assert f.size_mm == 4.0 and 40 < f.nipple_mm < 46
    alone = report_finding(groups[1])
    assert (alone.clock, alone.quadrant, alone.depth) == (None, "central", "posterior")


def test_types_that_disagree_are_not_paired_and_no_spacing_uses_shares():
    cc = _seen("CC", Box(480, 280, 520, 320), ftype="calcification", spacing=None)
    mlo = _seen("MLO", Box(480, 580, 520, 620), ftype="mass", spacing=None)
    groups = pair_views([cc, mlo])
    assert [len(g) for g in groups] == [1, 1]
    f = report_finding(groups[0])
    assert f.size_mm is None and f.nipple_mm is None and f.quadrant == "outer"


def test_content_says_where_and_what():
    cc = _seen("CC", Box(480, 280, 520, 320))
    report = StudyReport(study="s", findings=(report_finding((cc,)),), right=4, left=1)
    text = narrative(report)
    assert "1. Mass, malignant: right breast, outer, middle depth" in text and "4 mm" in text
    assert "Right breast: BI-RADS 4 (Suspicious). Tissue diagnosis." in text
    assert [s.title for s in sections(report)] == ["Breast composition", "Findings", "Assessment"]


def test_density_hook_grades_a_mias_film():
    from mammoviewer.io import load_image
    from shared_paths import SAMPLES

    grade = composition_of([load_image(SAMPLES / "mdb023.pgm"), load_image(SAMPLES / "mdb024.pgm")])
    assert grade in ("F", "G", "D")

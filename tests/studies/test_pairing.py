"""Finding the other breast's film: mini-MIAS numbering and DICOM headers in the same folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
from mammoviewer.io import load_image
from mammoviewer.studies.pairing import contralateral_path

DATA = Path(__file__).resolve().parents[1] / "data"
MIAS = Path(__file__).resolve().parents[2] / "resources" / "samples" / "mdb023.pgm"  # bundled sample film


def _mias_copy(folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(MIAS, target)
    return target


def test_mias_films_pair_odd_with_the_next_number(tmp_path: Path) -> None:
    right = _mias_copy(tmp_path, "mdb023.pgm")
    assert contralateral_path(load_image(right)) is None  # the other film is not there
    left = _mias_copy(tmp_path, "mdb024.pgm")
    _mias_copy(tmp_path, "mdb022.pgm")  # another patient's film
    assert contralateral_path(load_image(right)) == left
    assert contralateral_path(load_image(left)) == right
    assert load_image(right).laterality == "R" and load_image(left).laterality == "L"


def test_the_bundled_samples_hold_one_patients_two_breasts() -> None:
    left = MIAS.with_name("mdb024.pgm")
    assert contralateral_path(load_image(MIAS)) == left and contralateral_path(load_image(left)) == MIAS
    assert load_image(left).pixels.shape == (1024, 1024)


def test_a_mias_film_pairs_across_pgm_and_png(tmp_path: Path) -> None:
    import cv2

    right = _mias_copy(tmp_path, "mdb023.pgm")
    png = tmp_path / "mdb024.png"
    cv2.imwrite(str(png), np.zeros((16, 16), np.uint8))
    assert contralateral_path(load_image(right)) == png


def test_a_film_of_no_known_kind_has_no_pair(tmp_path: Path) -> None:
    import cv2

    path = tmp_path / "film.png"
    cv2.imwrite(str(path), np.zeros((64, 64), np.uint8))
    cv2.imwrite(str(tmp_path / "film2.png"), np.zeros((64, 64), np.uint8))
    assert contralateral_path(load_image(path)) is None


def _dicom(folder: Path, name: str, patient: str, side: str, view: str = "CC", study: str | None = None) -> Path:
    ds = pydicom.dcmread(DATA / "mg_ge_seno_lcc_for_presentation_hdr.dcm")
    ds.PatientID, ds.ImageLaterality, ds.ViewPosition = patient, side, view
    if study is not None:
        ds.StudyInstanceUID = study
    path = folder / name
    ds.save_as(path)
    return path


def test_dicom_films_pair_by_patient_side_and_view(tmp_path: Path) -> None:
    lcc = _dicom(tmp_path, "a.dcm", "P1", "L")
    assert contralateral_path(load_image(lcc)) is None
    _dicom(tmp_path, "b.dcm", "P2", "R")            # another patient
    _dicom(tmp_path, "c.dcm", "P1", "L")            # the same side
    _dicom(tmp_path, "d.dcm", "P1", "R", "MLO")     # another view
    _dicom(tmp_path, "e.dcm", "P1", "R", study="1.2.3.4")  # another study
    (tmp_path / "notes.txt").write_text("not a DICOM file")
    assert contralateral_path(load_image(lcc)) is None
    rcc = _dicom(tmp_path, "f.dcm", "P1", "R")
    assert contralateral_path(load_image(lcc)) == rcc
    assert contralateral_path(load_image(rcc)) == lcc


def test_dicom_without_laterality_or_patient_has_no_pair(tmp_path: Path) -> None:
    path = _dicom(tmp_path, "a.dcm", "", "L")
    _dicom(tmp_path, "b.dcm", "", "R")
    assert contralateral_path(load_image(path)) is None


def test_cbis_ddsm_views_pair_within_their_exam(tmp_path: Path) -> None:
    # CBIS-DDSM gives every view its own PatientID and study; the name says patient, side and view
    def cbis(name: str, study: str) -> Path:
        path = _dicom(tmp_path, name + ".dcm", name, "", study=study)
        ds = pydicom.dcmread(path)
        del ds.ImageLaterality
        del ds.ViewPosition
        ds.save_as(path)
        return path

    left_cc = cbis("Mass-Test_P_00038_LEFT_CC", "1.2.1")
    cbis("Mass-Test_P_00038_LEFT_MLO", "1.2.2")
    cbis("Mass-Test_P_00039_RIGHT_CC", "1.2.3")  # another patient
    assert contralateral_path(load_image(left_cc)) is None
    right_cc = cbis("Mass-Test_P_00038_RIGHT_CC", "1.2.4")
    assert contralateral_path(load_image(left_cc)) == right_cc
    assert contralateral_path(load_image(right_cc)) == left_cc


def test_a_folder_s_headers_are_read_once_until_a_file_changes(tmp_path: Path, monkeypatch) -> None:
    from mammoviewer.studies import pairing

    lcc, rcc = _dicom(tmp_path, "a.dcm", "P1", "L"), _dicom(tmp_path, "b.dcm", "P1", "R")
    _dicom(tmp_path, "c.dcm", "P2", "L")
    images = [load_image(p) for p in (lcc, rcc)]
    reads: list[str] = []
    real = pairing.read_film
    monkeypatch.setattr(pairing, "read_film", lambda p, kind=None: reads.append(Path(p).name) or real(p, kind))
    assert contralateral_path(images[0]) == rcc and contralateral_path(images[1]) == lcc
    assert sorted(reads) == ["a.dcm", "b.dcm", "c.dcm"]  # one pass over the folder for both films
    ds = pydicom.dcmread(rcc)
    ds.PatientID = "P3"  # rewritten: no longer the same patient
    ds.PatientName = "another^patient^with^a^longer^name"
    ds.save_as(rcc)
    assert contralateral_path(images[0]) is None
    assert len(reads) > 3

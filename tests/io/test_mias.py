"""MIAS Info.txt reader: bottom-left origin, multi-finding films, rows without a location."""

from __future__ import annotations

import pytest

from mammoviewer.errors import ImageReadError
from mammoviewer.io.mias import MiasFinding, films, patient_of, read_info


@pytest.fixture(scope="module")
def info(request):
    from loader_paths import SHARED

    path = SHARED / "mias" / "Info.txt"
    if not path.is_file():
        pytest.skip("shared MIAS Info.txt is not available")
    return films(read_info(path))


def test_mdb001_box_has_top_left_origin(info):
    (f,) = info["mdb001"]
    assert (f.tissue, f.cls, f.severity, f.label) == ("G", "CIRC", "B", "benign")
    assert (f.x, f.y, f.radius) == (535, 425, 197)
    assert f.center_rc() == (1024 - 425, 535)
    assert f.box() == (535 - 197, 599 - 197, 535 + 197, 599 + 197)
    assert f.finding_type == "mass"


def test_film_with_two_findings(info):
    rows = info["mdb005"]
    assert [(f.x, f.y, f.radius) for f in rows] == [(477, 133, 30), (500, 168, 26)]
    assert rows[0].box() == (447, 861, 507, 921)


def test_film_with_three_findings(info):
    if "mdb226" not in info:
        pytest.skip("mdb226 is among the films kept aside")
    rows = info["mdb226"]
    assert [(f.cls, f.severity, f.x, f.y, f.radius) for f in rows] == [
        ("CALC", "B", 287, 610, 7), ("CALC", "B", 329, 550, 25), ("CALC", "B", 531, 721, 8),
    ]
    assert all(f.finding_type == "calcification" for f in rows)


def test_row_without_coordinates(info):
    (f,) = info["mdb059"]
    assert (f.cls, f.label, f.located, f.box(), f.center_rc()) == ("CIRC", "benign", False, None, None)


def test_note_3_rows_have_no_location(info):
    noted = [r for r in ("mdb216", "mdb233", "mdb245") if r in info]
    if not noted:
        pytest.skip("all *NOTE 3* films are kept aside")
    for ref in noted:
        (f,) = info[ref]
        assert (f.cls, f.label, f.located, f.box()) == ("CALC", "malignant", False, None)


def test_normal_rows(info):
    (f,) = info["mdb003"]
    assert (f.cls, f.severity, f.label, f.finding_type, f.box()) == ("NORM", None, None, None, None)
    normals = [ref for ref, rows in info.items() if rows[0].cls == "NORM"]
    assert len(normals) > 150
    assert all(len(info[ref]) == 1 for ref in normals)


def test_parsed_from_crlf_text_with_preamble(tmp_path):
    path = tmp_path / "Info.txt"
    path.write_bytes(
        b"MIAS\r\n\tpreamble mentions mdb lines\r\nmdb001 G CIRC B 535 425 197\r\n"
        b"mdb003 D NORM \r\nmdb216 D CALC M *NOTE 3* \r\n=====\r\n"
    )
    rows = read_info(path)
    assert rows == [
        MiasFinding("mdb001", "G", "CIRC", "B", 535.0, 425.0, 197.0),
        MiasFinding("mdb003", "D", "NORM"),
        MiasFinding("mdb216", "D", "CALC", "M"),
    ]


def test_bad_rows(tmp_path):
    path = tmp_path / "Info.txt"
    path.write_text("mdb001 G BLOB B 1 2 3\n")
    with pytest.raises(ImageReadError, match="line 1: unknown MIAS class 'BLOB'"):
        read_info(path)
    path.write_text("nothing here\n")
    with pytest.raises(ImageReadError, match="no MIAS rows"):
        read_info(path)
    with pytest.raises(ImageReadError, match="cannot read MIAS info file"):
        read_info(tmp_path / "missing.txt")


def test_patient_of():
    assert (patient_of("mdb001"), patient_of("mdb002"), patient_of("mdb023"), patient_of("mdb322")) == (1, 1, 12, 161)
    with pytest.raises(ValueError):
        patient_of("img001")


def test_patient_folds_keep_patients_whole_and_stratify():
    from mammoviewer.io.mias import patient_folds

    films = [(p, f"mdb{2 * p - 1:03d}", lab) for p, lab in enumerate(["malignant"] * 5 + ["benign"] * 5 + ["normal"] * 10, 1)]
    films += [(p, f"mdb{2 * p:03d}", "normal") for p in range(1, 21)]  # each patient's second film is normal
    split = patient_folds(films, folds=5, seed=0)
    assert [f["counts"] for f in split["folds"]] == [{"normal": 2, "benign": 1, "malignant": 1}] * 5
    seen = [p for f in split["folds"] for p in f["patients"]]
    assert sorted(seen) == list(range(1, 21))  # every patient exactly once
    for f in split["folds"]:
        assert sorted(f["films"]) == sorted(r for p in f["patients"] for r in (f"mdb{2*p-1:03d}", f"mdb{2*p:03d}"))
    assert patient_folds(films, folds=5, seed=0) == split and patient_folds(films, folds=5, seed=1) != split


# -- a located row must be a finite point with a positive radius --------------------------
@pytest.mark.parametrize("x, y, radius, field", [
    ("535", "425", "0", "radius '0'"), ("535", "425", "-5", "radius '-5'"),
    ("535", "425", "nan", "radius 'nan'"), ("535", "425", "inf", "radius 'inf'"),
    ("nan", "425", "5", "x 'nan'"), ("535", "-inf", "5", "y '-inf'"),
])
def test_bad_location_names_the_line_and_the_value(tmp_path, x, y, radius, field):
    info = tmp_path / "Info.txt"
    info.write_text(f"preamble\r\nmdb001 G CIRC B 535 425 197\r\nmdb002 G CIRC B {x} {y} {radius}\r\n")
    with pytest.raises(ImageReadError, match=rf"Info\.txt: line 3: {field} is not a (positive|finite) number"):
        read_info(info)


def test_unlocated_rows_still_read(tmp_path):
    info = tmp_path / "Info.txt"
    info.write_text("mdb059 F CIRC B *NOTE 3*\r\nmdb001 G CIRC B 535 425 197\r\n")
    rows = read_info(info)
    assert not rows[0].located and rows[1].box() == (338.0, 402.0, 732.0, 796.0)

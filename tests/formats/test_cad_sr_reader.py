"""Hostile CAD SR documents: each is imported whole or refused in one line naming the file and the content
item, and a refused import leaves the store as it was."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from mammoviewer.cli import main
from mammoviewer.errors import ExportError
from mammoviewer.formats.cad_sr_import import import_cad_sr
from mammoviewer.formats.dicom_complete import missing_bytes
from mammoviewer.formats.dicom_out import known_operating_point
from mammoviewer.review import ReviewStore

from .conftest import DICOM_FILM
from .test_cad_sr_import import foreign_sr


@pytest.fixture
def films(tmp_path: Path) -> Path:
    folder = tmp_path / "films"
    folder.mkdir()
    shutil.copy(DICOM_FILM, folder / "rcc.dcm")
    return folder


def _report(films: Path) -> Dataset:
    return foreign_sr(pydicom.dcmread(films / "rcc.dcm", stop_before_pixels=True))


def _finding(ds: Dataset) -> Dataset:
    return ds.ContentSequence[2].ContentSequence[0]  # item 1.3.1: the calcification cluster


def _bytes(ds: Dataset, swap: tuple[bytes, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    data = buf.getvalue()
    if swap:
        assert data.count(swap[0]) == 1 and len(swap[0]) == len(swap[1])
        data = data.replace(*swap)
    return data


def _import(tmp_path: Path, films: Path, ds: Dataset | bytes, name: str = "vendor.dcm"):
    path = tmp_path / "reports" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(ds if isinstance(ds, bytes) else _bytes(ds))
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        return import_cad_sr(store, path.parent, films), store.findings()


def _ellipse(ds: Dataset) -> Dataset:
    return _finding(ds).ContentSequence[2]


def _odd(ds):
    _ellipse(ds).GraphicData = [200.0, 300.0, 260.0, 300.0, 230.0, 280.0, 230.0]


def _single(ds):
    _ellipse(ds).GraphicData = 200.0


def _no_uid(ds):
    del ds.ContentSequence[1].ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID


def _numeric(text: str):
    def damage(ds):  # pydicom will not set a DS it cannot parse: the bytes are changed once written
        _finding(ds).ContentSequence[0].MeasuredValueSequence[0].NumericValue = "9753"
        return (b"9753", text.encode().ljust(4))
    damage.__name__ = f"numeric {text}"
    return damage


_abc = _numeric("abc")
_inf = _numeric("1e99")


@pytest.mark.parametrize("damage, item, problem", [
    (_odd, "1.3.1", "ELLIPSE GraphicData of 7 values is not 4 (column, row) pairs"),
    (_single, "1.3.1", "ELLIPSE GraphicData of 1 values"),
    (_no_uid, "1.3.1", "ReferencedSOPSequence item has no ReferencedSOPInstanceUID"),
    (_abc, "1.3.1", "NumericValue 'abc' is not a number"),
    (_inf, "1.3.1", "NumericValue '1e99' is outside 0..100%"),
])  # fmt: skip
def test_an_unreadable_content_item_is_named(tmp_path, films, damage, item, problem):
    ds = _report(films)
    swap = damage(ds)
    with pytest.raises(ExportError, match=r"vendor.dcm: content item ") as err:
        _import(tmp_path, films, _bytes(ds, swap))
    assert f"content item {item}: " in str(err.value) and problem in str(err.value), str(err.value)
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        assert store.findings() == [] and store.images() == []


def test_an_unknown_vr_from_a_byte_flip_is_one_line(tmp_path, films, capsys):
    data = _bytes(_report(films))
    at = data.index(b"DS")  # the NumericValue's VR
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "flip.dcm").write_bytes(data[:at] + b"ZZ" + data[at + 2:])
    code = main(["import", "--store", str(tmp_path / "s.mvstore"), "--format", "cad-sr",
                 "--info", str(tmp_path / "reports" / "flip.dcm"), "--images", str(films)])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "flip.dcm: content item 1.3.1: NotImplementedError: Unknown Value Representation 'ZZ'" in err[0]


def test_a_report_cut_anywhere_imports_whole_or_not_at_all(tmp_path, films):
    data = _bytes(_report(films))
    outcomes = set()
    for n in range(200, len(data), 17):
        folder = tmp_path / f"cut{n}"
        folder.mkdir()
        try:
            summary, found = _import(folder, films, data[:n])
        except ExportError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(folder / "reports")), exc
            outcomes.add("refused")
            continue
        assert (summary.findings, len(found)) == (1, 1), n  # never a part of the report
        outcomes.add("whole")
    assert outcomes == {"refused"}  # every cut point of this report falls inside its content
    assert missing_bytes(data) is None


def test_all_or_nothing_across_the_reports_of_a_folder(tmp_path, films):
    good, bad = _report(films), _report(films)
    swap = _abc(bad)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "a_good.dcm").write_bytes(_bytes(good))
    (reports / "b_bad.dcm").write_bytes(_bytes(bad, swap))
    with ReviewStore.open(tmp_path / "s.mvstore") as store:
        with pytest.raises(ExportError, match="b_bad.dcm: content item 1.3.1"):
            import_cad_sr(store, reports, films)
        assert store.findings() == [] and store.images() == []


@pytest.mark.parametrize("keyword, value, problem", [
    ("PixelSpacing", "0.1", "PixelSpacing is '0.1'; it needs two values"),
    ("PixelSpacing", "abc\\def", "PixelSpacing is 'abc', not a number"),
    ("Columns", 0, "image of 0x1172 pixels"),
])  # fmt: skip
def test_a_referenced_image_with_a_bad_header_is_named(tmp_path, films, keyword, value, problem):
    ds = _report(films)
    image = pydicom.dcmread(films / "rcc.dcm")
    if keyword == "PixelSpacing":  # written as good numbers, then its bytes changed (pydicom checks DS)
        image.PixelSpacing = ["0.1234", "0.5678"]
        image.save_as(films / "rcc.dcm")
        good = b"0.1234\\0.5678 "
        data = (films / "rcc.dcm").read_bytes()
        assert data.count(good) == 1
        (films / "rcc.dcm").write_bytes(data.replace(good, value.encode().ljust(len(good))))
    else:
        setattr(image, keyword, value)
        image.save_as(films / "rcc.dcm")
    with pytest.raises(ExportError) as err:
        _import(tmp_path, films, ds)
    assert str(err.value).startswith(str(films / "rcc.dcm")) and problem in str(err.value), str(err.value)


def test_an_algorithm_name_is_a_name_never_a_path(tmp_path, films):
    evil = tmp_path / "evil"
    evil.mkdir()
    card = {"name": str(evil), "version": "unknown", "default_threshold": 0.3}
    (evil / "model.json").write_text(json.dumps(card))
    ds = _report(films)
    ds.ContentSequence[0].TextValue = str(evil)  # the Device Observer Name the marks are named after
    summary, found = _import(tmp_path, films, ds)
    assert str(evil).startswith(found[0].model_name)  # kept as a name, one line of at most 64 characters
    assert known_operating_point(str(evil), "unknown") is None
    models = tmp_path / "models"
    models.mkdir()
    card["name"] = "../evil"
    (evil / "model.json").write_text(json.dumps(card))
    assert known_operating_point("../evil", "unknown", models) is None  # not a folder of models_dir
    card["name"] = "good"
    (models / "good").mkdir()
    (models / "good" / "model.json").write_text(json.dumps(card))
    assert known_operating_point("good", "unknown", models) == 0.3

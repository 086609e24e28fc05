"""Laterality, view, PatientOrientation and date normalisation (golden table)."""

from __future__ import annotations

import pytest

from mammoviewer.io import views


@pytest.mark.parametrize("value, expected", [
    ("R", "R"), ("l", "L"), ("RIGHT", "R"), (" LEFT ", "L"), ("B", None), ("", None), (None, None),
])
def test_laterality(value, expected):
    assert views.laterality(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("CC", "CC"), ("MLO", "MLO"), ("mlo", "MLO"), ("RCC", "CC"), ("L MLO", "MLO"), ("XCCL", "XCCL"),
    ("cranio-caudal", "CC"), ("medio-lateral oblique", "MLO"), ("Medio-lateral", "ML"),
    ("latero-medial", "LM"), ("exaggerated cranio-caudal", "XCCL"), ("", None), ("AP", None), (None, None),
])
def test_view(value, expected):
    assert views.view(value) == expected


def test_view_code_value_wins_over_meaning():
    assert views.view_from_code("R-10226", "anything") == "MLO"
    assert views.view_from_code("399162004", "") == "CC"
    assert views.view_from_code("", "cranio-caudal") == "CC"
    assert views.view_from_code("X-1", "unknown view") is None


@pytest.mark.parametrize("value, expected", [
    ("P\\L", ("P", "L")), ("A\\FR", ("A", "FR")), (["P", "FL"], ("P", "FL")), ("a\\r", ("A", "R")),
    ("CC", None), ("MLO", None), ("", None), (None, None), ("P\\L\\X", None), ("Q\\L", None),
])
def test_orientation(value, expected):
    assert views.orientation(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("20161004", "2016-10-04"), ("2016.10.04", "2016-10-04"), ("2016-10-04", "2016-10-04"),
    ("20161304", None), ("2016", None), ("", None), (None, None),
])
def test_study_date(value, expected):
    assert views.study_date(value) == expected


def test_header_laterality_and_view_in_order_of_precedence():
    from pydicom.dataset import Dataset

    ds = Dataset()
    assert views.laterality_of(ds) is None and views.view_of(ds) is None
    ds.Laterality, ds.PatientOrientation = "RIGHT", "MLO"  # CBIS-DDSM writes the view here
    assert views.laterality_of(ds) == "R" and views.view_of(ds) == "MLO"
    code = Dataset()
    code.CodeValue, code.CodeMeaning = "R-10242", "cranio-caudal"
    ds.ViewCodeSequence = [code]
    ds.ImageLaterality = "L"
    assert views.laterality_of(ds) == "L" and views.view_of(ds) == "CC"
    ds.ViewPosition = "XCCL"
    assert views.view_of(ds) == "XCCL"
    ds.ViewPosition, ds.ViewCodeSequence, ds.PatientOrientation = "", [], ["P", "L"]
    assert views.view_of(ds) is None  # directions, not a view

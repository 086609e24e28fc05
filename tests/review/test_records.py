from __future__ import annotations

import math

import pytest

from mammoviewer.review.records import Box, Finding, FindingChange, ImageRecord


def test_box_is_canonical_floats_and_rejects_empty_or_inverted() -> None:
    b = Box(1, 2, 5, 10)
    assert b.as_tuple() == (1.0, 2.0, 5.0, 10.0) and isinstance(b.x0, float)
    assert (b.width, b.height) == (4.0, 8.0)
    for bad in [(5, 2, 1, 10), (1, 10, 5, 2), (1, 2, 1, 10), (0, 0, math.nan, 1), (0, 0, math.inf, 1)]:
        with pytest.raises(ValueError):
            Box(*bad)


@pytest.mark.parametrize(
    "field,value",
    [("label", "normal"), ("source", "ai"), ("status", "maybe"), ("finding_type", "cyst")],
)
def test_finding_rejects_unknown_vocabulary(field: str, value: str) -> None:
    kw = {"image_key": "k", "box": Box(0, 0, 1, 1), "label": "benign", field: value}
    with pytest.raises(ValueError, match=field):
        Finding(**kw)


def test_finding_json_round_trip_keeps_everything() -> None:
    f = Finding(
        image_key="k", box=Box(1, 2, 3, 4), label="malignant", finding_type="mass", score=0.75,
        source="model", model_name="idbll", model_version="2", attributes={"mias_class": "SPIC"},
    ).with_provenance().replace(box=Box(2, 2, 3, 4), edited=True)
    back = Finding.from_json(f.to_json())
    assert back == f
    assert back.original_box == Box(1, 2, 3, 4) and back.box == Box(2, 2, 3, 4)
    assert Finding(image_key="k", box=Box(0, 0, 1, 1), label="benign").id != back.id


def test_image_record_and_change_validation() -> None:
    with pytest.raises(ValueError):
        ImageRecord(key="k", width=0, height=10)
    with pytest.raises(ValueError):
        ImageRecord(key="k", width=10, height=10, review_state="done")
    a = Finding(image_key="k", box=Box(0, 0, 1, 1), label="benign")
    b = Finding(image_key="k", box=Box(0, 0, 1, 1), label="benign")
    with pytest.raises(ValueError):
        FindingChange("x", a, b)  # different ids
    assert FindingChange("add", None, a).kind == "insert"
    assert FindingChange("del", a, None).kind == "delete"
    assert FindingChange("x", a, a.replace(label="malignant")).inverse("undo x").after == a


def test_attributes_are_stored_form_and_must_be_json() -> None:
    f = Finding(image_key="k", box=Box(0, 0, 1, 1), label="benign", attributes={"pair": (1, 2), 3: "x"})
    assert f.attributes == {"pair": [1, 2], "3": "x"}  # what the store gives back
    with pytest.raises(ValueError, match="JSON"):
        Finding(image_key="k", box=Box(0, 0, 1, 1), label="benign", attributes={"x": object()})
    with pytest.raises(ValueError, match="JSON"):
        ImageRecord(key="k", width=1, height=1, metadata={"x": {1, 2}})

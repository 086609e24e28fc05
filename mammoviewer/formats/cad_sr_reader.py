"""Read the findings of a TID 4000 CAD SR (ours or another vendor's): SCOORD marks with their properties.

Every finding item (a CODE with a SCOORD among its children, usually a Single Image Finding
or Composite Feature) gives one mark: the box around its outline (POLYLINE, MULTIPOINT,
CIRCLE, ELLIPSE; a lone POINT has no extent and is counted as unlocated), the image it was
selected from (by value or by reference), the certainty of finding (percent) as score, the
Pathology (or Probability of cancer) as label, the finding type from the finding's value,
the Rendering Intent and the algorithm (its own Algorithm Name/Version, else the report's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from mammoviewer.formats.dicom_codes import DCM, NOT_FOR_PRESENTATION, finding_type_of, label_of, same

EXTENT_TYPES = ("POLYLINE", "POLYGON", "MULTIPOINT", "CIRCLE", "ELLIPSE")


@dataclass(frozen=True, slots=True)
class CadMark:
    """One located CAD finding on one image (box in pixels, top-left origin)."""

    sop_instance_uid: str
    box: tuple[float, float, float, float]
    label: str | None
    finding_type: str | None
    score: float | None
    algorithm: tuple[str, str]
    for_presentation: bool


@dataclass
class CadReport:
    """The marks of one CAD SR, and how many of its findings had no extent."""

    marks: list[CadMark]
    unlocated: int


def _name(item: Any) -> Any:
    seq = item.get("ConceptNameCodeSequence")
    return seq[0] if seq else None


def _is(item: Any, code: Any) -> bool:
    name = _name(item)
    return name is not None and same(_coded(name), code)


class _Code(NamedTuple):
    value: str | None
    scheme_designator: str | None


def _coded(ds: Any) -> _Code:
    return _Code(ds.get("CodeValue"), ds.get("CodingSchemeDesignator"))


def _code_value(item: Any) -> Any:
    seq = item.get("ConceptCodeSequence")
    return _coded(seq[0]) if seq else None


def _num(item: Any) -> float | None:
    seq = item.get("MeasuredValueSequence")
    if not seq or "NumericValue" not in seq[0]:
        return None
    value = float(seq[0].NumericValue)
    units = seq[0].get("MeasurementUnitsCodeSequence")
    unit = units[0].get("CodeValue") if units else None
    return value / 100.0 if unit == "%" else value


def _walk(items: Any, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Any]]:
    for i, item in enumerate(items or [], start=1):
        here = path + (i,)
        yield here, item
        yield from _walk(item.get("ContentSequence"), here)


def _box(item: Any) -> tuple[float, float, float, float] | None:
    kind = str(item.get("GraphicType", "")).upper()
    data = item.get("GraphicData")
    if kind not in EXTENT_TYPES or data is None or len(data) < 4:
        return None
    pts = np.asarray([float(v) for v in data], dtype=float).reshape(-1, 2)
    if kind == "CIRCLE":
        r = float(np.hypot(*(pts[1] - pts[0])))
        pts = np.array([pts[0] - r, pts[0] + r])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    if not (x1 > x0 and y1 > y0 and np.isfinite([x0, y0, x1, y1]).all()):
        return None
    return (float(x0), float(y0), float(x1), float(y1))


def _image_uid(scoord: Any, by_path: dict[tuple[int, ...], Any]) -> str | None:
    for child in scoord.get("ContentSequence") or []:
        ref = child.get("ReferencedSOPSequence")
        if ref:
            return str(ref[0].ReferencedSOPInstanceUID)
        target = child.get("ReferencedContentItemIdentifier")
        if target is not None:  # by reference: a path of item numbers from the root (1)
            path = tuple(int(v) for v in ([target] if isinstance(target, int) else list(target)))
            item = by_path.get(path[1:])
            if item is not None and item.get("ReferencedSOPSequence"):
                return str(item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)
    return None


def _algorithm(children: list[Any]) -> tuple[str | None, str | None]:
    name = next((str(c.TextValue) for c in children if _is(c, DCM.AlgorithmName) and "TextValue" in c), None)
    version = next((str(c.TextValue) for c in children if _is(c, DCM.AlgorithmVersion) and "TextValue" in c), None)
    return name, version


def _report_algorithm(ds: Any) -> tuple[str, str]:
    """The report's algorithm: its first Algorithm Name/Version, else the device or manufacturer."""
    for _, item in _walk(ds.get("ContentSequence")):
        name, version = _algorithm(list(item.get("ContentSequence") or []))
        if name:
            return name, version or "unknown"
    for _, item in _walk(ds.get("ContentSequence")):
        if _is(item, DCM.DeviceObserverName) and item.get("TextValue"):
            return str(item.TextValue), "unknown"
    return str(ds.get("Manufacturer") or "unknown CAD"), "unknown"


def read_cad_report(ds: Any) -> CadReport:
    """The marks of a CAD SR dataset (any SR holding SCOORD findings)."""
    by_path = dict(_walk(ds.get("ContentSequence")))
    default = _report_algorithm(ds)
    marks: list[CadMark] = []
    unlocated = 0
    for _, item in by_path.items():
        children = list(item.get("ContentSequence") or [])
        scoords = [c for c in children if c.get("ValueType") == "SCOORD"]
        if item.get("ValueType") not in ("CODE", "NUM") or not scoords:
            continue
        located = [(s, b) for s in scoords if (b := _box(s)) is not None]
        if not located:
            unlocated += 1
            continue
        scoord, box = next(((s, b) for s, b in located if _is(s, DCM.Outline)), located[0])
        uid = _image_uid(scoord, by_path)
        if uid is None:
            unlocated += 1
            continue
        score = next((_num(c) for c in children if _is(c, DCM.CertaintyOfFinding)), None)
        cancer = next((_num(c) for c in children if _is(c, DCM.ProbabilityOfCancer)), None)
        label = next((label_of(_code_value(c)) for c in children if _is(c, DCM.Pathology)), None)
        if label is None and cancer is not None:
            label = "malignant" if cancer >= 0.5 else "benign"
        intent = next((_code_value(c) for c in children if _is(c, DCM.RenderingIntent)), None)
        name, version = _algorithm(children)
        marks.append(CadMark(
            sop_instance_uid=uid, box=box, label=label, finding_type=finding_type_of(_code_value(item)),
            score=score if score is not None else cancer,
            algorithm=(name, version or "unknown") if name else default,
            for_presentation=intent is None or not same(intent, NOT_FOR_PRESENTATION),
        ))  # fmt: skip
    return CadReport(marks, unlocated)

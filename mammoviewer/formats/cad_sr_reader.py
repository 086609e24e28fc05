"""Read the findings of a TID 4000 CAD SR (ours or another vendor's): SCOORD marks with their properties.

Every finding item (a CODE with a SCOORD among its children, usually a Single Image Finding
or Composite Feature) gives one mark: the box around its outline (POLYLINE, MULTIPOINT,
CIRCLE, ELLIPSE; a lone POINT has no extent and is counted as unlocated), the image it was
selected from (by value or by reference), the certainty of finding (percent) as score, the
Pathology (or Probability of cancer) as label, the finding type from the finding's value,
the Rendering Intent and the algorithm (its own Algorithm Name/Version, else the report's).

A content item that cannot be read (GraphicData that is not (column, row) pairs, a reference
without its UID, a NumericValue that is not a finite number ...) raises :class:`SrContentError`
naming the item by its position in the content tree (``1.3.2``): a report is read whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import math

import numpy as np

from mammoviewer.formats.dicom_codes import DCM, NOT_FOR_PRESENTATION, finding_type_of, label_of, same

EXTENT_TYPES = ("POLYLINE", "POLYGON", "MULTIPOINT", "CIRCLE", "ELLIPSE")
#: points each outline type needs (at least, or exactly for CIRCLE and ELLIPSE)
_POINTS = {"CIRCLE": 2, "ELLIPSE": 4}
#: the largest coordinate an outline may give, in pixels (a film is at most 65536 wide)
MAX_COORDINATE = float(1 << 20)
#: the longest algorithm name or version kept
MAX_NAME = 64


class SrContentError(ValueError):
    """A content item of a report cannot be read; ``where`` is its position (``"1.3.2"``)."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"content item {where}: {problem}" if where else f"content tree: {problem}")


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
    """A score or probability: a finite number in 0..1 (0..100 when its unit is %)."""
    seq = item.get("MeasuredValueSequence")
    if not seq or "NumericValue" not in seq[0]:
        return None
    raw = seq[0].NumericValue
    try:
        value = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"NumericValue {str(raw)[:30]!r} is not a number") from None
    units = seq[0].get("MeasurementUnitsCodeSequence")
    unit = units[0].get("CodeValue") if units else None
    top = 100.0 if unit == "%" else 1.0
    if not (math.isfinite(value) and 0.0 <= value <= top):
        raise ValueError(f"NumericValue {str(raw)[:30]!r} is outside 0..{top:g}{'%' if unit == '%' else ''}")
    return value / top


def _walk(items: Any, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Any]]:
    for i, item in enumerate(items or [], start=1):
        here = path + (i,)
        yield here, item
        yield from _walk(item.get("ContentSequence"), here)


def _points(kind: str, data: Any) -> np.ndarray:
    values = [data] if isinstance(data, (int, float)) else list(data)
    try:
        pts = np.asarray([float(v) for v in values], dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{kind} GraphicData holds a value that is not a number") from None
    need = _POINTS.get(kind)
    if len(pts) % 2 or len(pts) < 4 or (need is not None and len(pts) != 2 * need):
        shape = f"{need} (column, row) pairs" if need else "(column, row) pairs, at least two"
        raise ValueError(f"{kind} GraphicData of {len(pts)} values is not {shape}")
    if not (np.isfinite(pts).all() and np.abs(pts).max() <= MAX_COORDINATE):
        raise ValueError(f"{kind} GraphicData holds a coordinate that is not finite or beyond {MAX_COORDINATE:g}")
    return pts.reshape(-1, 2)


def _box(item: Any) -> tuple[float, float, float, float] | None:
    kind = str(item.get("GraphicType", "")).upper()
    data = item.get("GraphicData")
    if kind not in EXTENT_TYPES or data is None:
        return None
    pts = _points(kind, data)
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
            return _referenced_uid(ref)
        target = child.get("ReferencedContentItemIdentifier")
        if target is not None:  # by reference: a path of item numbers from the root (1)
            try:
                path = tuple(int(v) for v in ([target] if isinstance(target, int) else list(target)))
            except (TypeError, ValueError):
                raise ValueError(f"ReferencedContentItemIdentifier {str(target)[:30]!r} is not item numbers") from None
            item = by_path.get(path[1:])
            if item is not None and item.get("ReferencedSOPSequence"):
                return _referenced_uid(item.ReferencedSOPSequence)
    return None


def _referenced_uid(ref: Any) -> str:
    uid = ref[0].get("ReferencedSOPInstanceUID")
    if not uid:
        raise ValueError("a ReferencedSOPSequence item has no ReferencedSOPInstanceUID")
    return str(uid)


def _text(value: Any) -> str:
    """A name or version from the report: one line, at most :data:`MAX_NAME` characters."""
    return " ".join(str(value).split())[:MAX_NAME]


def _algorithm(children: list[Any]) -> tuple[str | None, str | None]:
    name = next((_text(c.TextValue) for c in children if _is(c, DCM.AlgorithmName) and "TextValue" in c), None)
    version = next((_text(c.TextValue) for c in children if _is(c, DCM.AlgorithmVersion) and "TextValue" in c),
                   None)  # fmt: skip
    return name or None, version or None


def _report_algorithm(ds: Any) -> tuple[str, str]:
    """The report's algorithm: its first Algorithm Name/Version, else the device or manufacturer."""
    for _, item in _walk(ds.get("ContentSequence")):
        name, version = _algorithm(list(item.get("ContentSequence") or []))
        if name:
            return name, version or "unknown"
    for _, item in _walk(ds.get("ContentSequence")):
        if _is(item, DCM.DeviceObserverName) and item.get("TextValue"):
            return _text(item.TextValue) or "unknown CAD", "unknown"
    return _text(ds.get("Manufacturer") or "") or "unknown CAD", "unknown"


def read_cad_report(ds: Any) -> CadReport:
    """The marks of a CAD SR dataset (any SR holding SCOORD findings); SrContentError naming the item
    that cannot be read."""
    try:
        by_path = dict(_walk(ds.get("ContentSequence")))
        default = _report_algorithm(ds)
    except Exception as exc:  # noqa: BLE001 - pydicom decodes lazily: junk surfaces here as any type
        raise SrContentError("", _problem(exc)) from exc
    marks: list[CadMark] = []
    unlocated = 0
    for where, item in by_path.items():
        try:
            mark = _mark(item, by_path, default)
        except Exception as exc:  # noqa: BLE001 - as above
            raise SrContentError(".".join(map(str, (1, *where))), _problem(exc)) from exc
        if mark is None:
            unlocated += 1
        elif mark is not _NOT_A_FINDING:
            marks.append(mark)  # type: ignore[arg-type]
    return CadReport(marks, unlocated)


def _problem(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:200] if isinstance(exc, ValueError) and text else f"{type(exc).__name__}: {text[:200]}"


_NOT_A_FINDING = object()


def _mark(item: Any, by_path: dict[tuple[int, ...], Any], default: tuple[str, str]) -> object:
    """The mark of one content item: None for a finding without extent or image, ``_NOT_A_FINDING``
    for any other item."""
    children = list(item.get("ContentSequence") or [])
    scoords = [c for c in children if c.get("ValueType") == "SCOORD"]
    if item.get("ValueType") not in ("CODE", "NUM") or not scoords:
        return _NOT_A_FINDING
    located = [(s, b) for s in scoords if (b := _box(s)) is not None]
    if not located:
        return None
    scoord, box = next(((s, b) for s, b in located if _is(s, DCM.Outline)), located[0])
    uid = _image_uid(scoord, by_path)
    if uid is None:
        return None
    score = next((_num(c) for c in children if _is(c, DCM.CertaintyOfFinding)), None)
    cancer = next((_num(c) for c in children if _is(c, DCM.ProbabilityOfCancer)), None)
    label = next((label_of(_code_value(c)) for c in children if _is(c, DCM.Pathology)), None)
    if label is None and cancer is not None:
        label = "malignant" if cancer >= 0.5 else "benign"
    intent = next((_code_value(c) for c in children if _is(c, DCM.RenderingIntent)), None)
    name, version = _algorithm(children)
    return CadMark(
        sop_instance_uid=uid, box=box, label=label, finding_type=finding_type_of(_code_value(item)),
        score=score if score is not None else cancer,
        algorithm=(name, version or "unknown") if name else default,
        for_presentation=intent is None or not same(intent, NOT_FOR_PRESENTATION),
    )  # fmt: skip

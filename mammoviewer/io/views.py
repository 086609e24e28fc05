"""Laterality, view and PatientOrientation as DICOM spells them, normalised; one place reads them from a header.

* laterality: ``"R"`` or ``"L"`` (from ImageLaterality, Laterality, ``RIGHT``/``LEFT`` ...);
* view: the ViewPosition abbreviations of DICOM PS3.16 CID 4014 (``CC``, ``MLO``, ``ML``,
  ``LM``, ``XCCL``, ``XCCM``, ``LMO``, ``FB``, ``SIO``, ``AT``), from ViewPosition, the
  View Code Sequence (code value or meaning) or a PatientOrientation that holds a view name;
* PatientOrientation (0020,0020): the anatomical directions of a row (left to right) and of a
  column (top to bottom), each a string of ``A P R L H F``; anything else is no orientation.
"""

from __future__ import annotations

import re
from typing import Any

#: DICOM view abbreviations known to the hanging protocols
VIEWS = ("CC", "MLO", "ML", "LM", "XCCL", "XCCM", "LMO", "FB", "SIO", "AT")

_LATERALITY = {"R": "R", "RIGHT": "R", "L": "L", "LEFT": "L"}
#: SNOMED-RT (SRT) code values of CID 4014 and their view
_VIEW_CODES = {
    "R-10242": "CC", "R-10226": "MLO", "R-10224": "ML", "R-10228": "LM", "R-1024A": "XCCL",
    "R-1024B": "XCCM", "R-10230": "LMO", "R-10238": "FB", "R-102D0": "SIO", "R-40AAA": "AT",
    "399162004": "CC", "399368009": "MLO", "399260004": "ML", "399352003": "LM",  # SNOMED CT
}
#: code meanings (lower case, hyphens and spaces removed) and their view, longest first
_VIEW_MEANINGS = (
    ("exaggeratedcraniocaudallaterally", "XCCL"), ("exaggeratedcraniocaudalmedially", "XCCM"),
    ("exaggeratedcraniocaudal", "XCCL"), ("mediolateraloblique", "MLO"),
    ("lateromedialoblique", "LMO"), ("craniocaudal", "CC"), ("mediolateral", "ML"),
    ("lateromedial", "LM"), ("caudocranial", "FB"), ("superolateraltoinferomedialoblique", "SIO"),
    ("axillarytail", "AT"),
)
_DIRECTION = re.compile(r"^[APRLHF]{1,3}$")


def laterality(value: object) -> str | None:
    """``"R"``, ``"L"`` or None for a DICOM laterality value (``R``, ``RIGHT``, ``l`` ...)."""
    text = str(value or "").strip().upper()
    return _LATERALITY.get(text)


def view(value: object) -> str | None:
    """The view abbreviation for a ViewPosition, a code meaning or a name like ``RCC``; else None."""
    text = re.sub(r"[\s_\-]", "", str(value or "")).upper()
    if not text:
        return None
    if text in VIEWS:
        return text
    if text[:1] in "RL" and text[1:] in VIEWS:  # "RCC", "LMLO"
        return text[1:]
    lowered = text.lower()
    for meaning, abbreviation in _VIEW_MEANINGS:
        if meaning in lowered:
            return abbreviation
    return None


def view_from_code(code_value: object, meaning: object) -> str | None:
    """The view of one View Code Sequence item (its code value first, then its meaning)."""
    return _VIEW_CODES.get(str(code_value or "").strip()) or view(meaning)


def _element(ds: Any, keyword: str) -> Any:
    try:
        return ds.get(keyword)
    except Exception:  # noqa: BLE001 - a malformed element reads as absent
        return None


def laterality_of(ds: Any) -> str | None:
    """``"R"``, ``"L"`` or None from a DICOM header's ImageLaterality, else its Laterality."""
    return laterality(_element(ds, "ImageLaterality")) or laterality(_element(ds, "Laterality"))


def view_of(ds: Any) -> str | None:
    """The view of a DICOM header: ViewPosition, else the View Code Sequence, else a view named in
    PatientOrientation (CBIS-DDSM writes ``MLO`` there); None when none names one."""
    found = view(_element(ds, "ViewPosition"))
    if found:
        return found
    try:
        items = list(_element(ds, "ViewCodeSequence") or [])
    except TypeError:
        items = []
    for item in items:
        found = view_from_code(item.get("CodeValue"), item.get("CodeMeaning"))
        if found:
            return found
    value = _element(ds, "PatientOrientation")
    parts = [str(v) for v in value] if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue" \
        else str(value or "").split("\\")
    return view("".join(parts))


def orientation(value: object) -> tuple[str, str] | None:
    """PatientOrientation as (row direction, column direction), or None when it names no directions.

    ``"P\\L"`` -> ``("P", "L")``; CBIS-DDSM's ``"CC"`` or ``"MLO"`` (a view, not directions) -> None.
    """
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        parts = [str(v) for v in value]  # type: ignore[union-attr]
    else:
        parts = str(value or "").split("\\")
    parts = [p.strip().upper() for p in parts]
    if len(parts) != 2 or not all(_DIRECTION.match(p) for p in parts):
        return None
    return parts[0], parts[1]


def study_date(value: object) -> str | None:
    """A DICOM DA value ``YYYYMMDD`` as ISO ``YYYY-MM-DD`` (None when absent or malformed)."""
    text = str(value or "").strip().replace(".", "").replace("-", "")
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not m or not ("01" <= m.group(2) <= "12" and "01" <= m.group(3) <= "31"):
        return None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"

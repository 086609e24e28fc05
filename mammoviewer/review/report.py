"""The reading's report of one study: composition, findings, BI-RADS assessments, free text.

Records only (frozen dataclasses, JSON round trip); ``review.report_table`` stores them and
``review.report_commands`` edits them with undo. A report belongs to a study key as
``mammoviewer studies`` prints it (StudyInstanceUID, CBIS-DDSM exam, ``mdb001+mdb002``).

Assessment categories and recommendations: ACR BI-RADS Atlas, 5th edition (2013), mammography.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

#: category -> (assessment, the management that goes with it)
BIRADS: dict[int, tuple[str, str]] = {
    0: ("Incomplete: need additional imaging evaluation and/or prior mammograms for comparison",
        "Recall for additional imaging and/or comparison with prior examination(s)"),
    1: ("Negative", "Routine mammography screening"),
    2: ("Benign", "Routine mammography screening"),
    3: ("Probably benign", "Short-interval (6-month) follow-up or continued surveillance mammography"),
    4: ("Suspicious", "Tissue diagnosis"),
    5: ("Highly suggestive of malignancy", "Tissue diagnosis"),
    6: ("Known biopsy-proven malignancy", "Surgical excision when clinically appropriate"),
}  # fmt: skip
#: the overall assessment is the most worrying of the breasts', in this order (least first)
SEVERITY = (1, 2, 3, 6, 0, 4, 5)
#: breast composition: BI-RADS a-d, or the mini-MIAS background tissue F/G/D
COMPOSITIONS: dict[str, str] = {
    "a": "The breasts are almost entirely fatty",
    "b": "There are scattered areas of fibroglandular density",
    "c": "The breasts are heterogeneously dense, which may obscure small masses",
    "d": "The breasts are extremely dense, which lowers the sensitivity of mammography",
    "F": "Fatty (mini-MIAS background tissue F)",
    "G": "Fatty-glandular (mini-MIAS background tissue G)",
    "D": "Dense-glandular (mini-MIAS background tissue D)",
}
SIDES = ("R", "L")
COMPOSITION_SOURCES = ("reader", "model")


def recommendation(category: int | None) -> str:
    """The standard recommendation for a BI-RADS category ('' when none is given)."""
    return "" if category is None else BIRADS[category][1]


def overall_category(right: int | None, left: int | None) -> int | None:
    """The most worrying of the two breasts' categories (BI-RADS order 1 < 2 < 3 < 6 < 0 < 4 < 5)."""
    given = [c for c in (right, left) if c is not None]
    return max(given, key=SEVERITY.index) if given else None


def _category(name: str, value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or int(value) != value or int(value) not in BIRADS:
        raise ValueError(f"{name} must be a BI-RADS category 0-6, not {value!r}")
    return int(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportFinding:
    """One finding as the report states it (from one film, or a CC and an MLO film of one lesion)."""

    id: str
    laterality: str | None
    views: tuple[str, ...] = ()
    clock: int | None = None
    quadrant: str = ""
    depth: str | None = None
    nipple_mm: float | None = None
    size_mm: float | None = None  # longest side of the box
    finding_type: str | None = None
    label: str | None = None
    note: str = ""
    finding_ids: tuple[str, ...] = ()
    image_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.laterality not in SIDES + (None,):
            raise ValueError(f"laterality must be 'R', 'L' or None, not {self.laterality!r}")
        if self.clock is not None and not 1 <= int(self.clock) <= 12:
            raise ValueError(f"clock position must be 1-12, not {self.clock!r}")
        for name in ("views", "finding_ids", "image_keys"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def replace(self, **changes: Any) -> ReportFinding:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("views", "finding_ids", "image_keys"):
            out[name] = list(out[name])
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportFinding:
        return cls(**data)


@dataclass(frozen=True, slots=True, kw_only=True)
class StudyReport:
    """The report of one study. ``assessments`` are BI-RADS 0-6 (None: not given yet)."""

    study: str
    patient: str = ""
    composition: str | None = None
    composition_source: str = "reader"
    findings: tuple[ReportFinding, ...] = ()
    right: int | None = None
    left: int | None = None
    overall: int | None = None
    text: str = ""
    film_keys: tuple[str, ...] = ()
    key_images: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.study:
            raise ValueError("a report needs a study key")
        if self.composition not in tuple(COMPOSITIONS) + (None,):
            raise ValueError(f"composition must be one of {', '.join(COMPOSITIONS)} or None, not {self.composition!r}")
        if self.composition_source not in COMPOSITION_SOURCES:
            raise ValueError(f"composition source must be one of {COMPOSITION_SOURCES}")
        for name in ("right", "left", "overall"):
            object.__setattr__(self, name, _category(name, getattr(self, name)))
        for name in ("findings", "film_keys", "key_images"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def replace(self, **changes: Any) -> StudyReport:
        return dataclasses.replace(self, **changes)

    @property
    def overall_or_derived(self) -> int | None:
        """The overall category as set, else the most worrying breast's."""
        return self.overall if self.overall is not None else overall_category(self.right, self.left)

    def category(self, side: str) -> int | None:
        """``"R"``, ``"L"`` or ``"overall"``."""
        return {"R": self.right, "L": self.left}.get(side, self.overall_or_derived)

    def finding(self, finding_id: str) -> ReportFinding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["findings"] = [f.to_json() for f in self.findings]
        out["film_keys"], out["key_images"] = list(self.film_keys), list(self.key_images)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudyReport:
        d = dict(data)
        d["findings"] = tuple(ReportFinding.from_json(f) for f in d.get("findings") or ())
        return cls(**d)

"""Records of the review model: boxes, findings, corrections and images.

All records are frozen, slotted dataclasses. A :class:`Box` is the project's
canonical box: ``[x0, y0, x1, y1]`` floats in full-resolution pixel coordinates
of the opened image, origin at the top-left, x = column, y = row.

``Finding.attributes`` and ``ImageRecord.metadata`` are plain dicts (JSON-able)
for format-specific extras such as the original MIAS class; records holding
them compare by value but are not hashable.
"""

from __future__ import annotations

import dataclasses
import json
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

LABELS = ("benign", "malignant")
FINDING_TYPES = ("mass", "calcification", "architectural distortion", "asymmetry")
SOURCES = ("model", "reader", "import")
STATUSES = ("pending", "accepted", "rejected")
REVIEW_STATES = ("unreviewed", "in progress", "reviewed")


def _check(name: str, value: object, allowed: tuple[object, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


@dataclass(frozen=True, slots=True)
class Box:
    """Canonical box ``[x0, y0, x1, y1]``: top-left origin, full-resolution pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        vals = (self.x0, self.y0, self.x1, self.y1)
        if not all(math.isfinite(v) for v in vals):
            raise ValueError(f"box coordinates must be finite: {vals}")
        if not (self.x1 > self.x0 and self.y1 > self.y0):
            raise ValueError(f"box needs x1 > x0 and y1 > y0: {vals}")
        for name, v in zip(("x0", "y0", "x1", "y1"), vals):
            object.__setattr__(self, name, float(v))

    @classmethod
    def of(cls, xyxy: Any) -> Box:
        """Build from any 4-sequence ``[x0, y0, x1, y1]``."""
        x0, y0, x1, y1 = (float(v) for v in xyxy)
        return cls(x0, y0, x1, y1)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def translated(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)


def _plain_json(name: str, value: Any) -> dict[str, Any]:
    """``value`` as the store will give it back (JSON round trip), so records compare equal."""
    try:
        out = json.loads(json.dumps(dict(value)))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be JSON-serialisable: {exc}") from exc
    return out  # type: ignore[no-any-return]


def new_id() -> str:
    """A fresh finding id (uuid4 string)."""
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One finding on one image, in its current state.

    ``original_*`` keep what the model or the import first said (provenance);
    ``edited`` is True once a reader changed the box, label or type.
    """

    image_key: str
    box: Box
    label: str
    finding_type: str | None = None
    score: float | None = None
    source: str = "reader"
    status: str = "pending"
    note: str = ""
    model_name: str | None = None
    model_version: str | None = None
    original_box: Box | None = None
    original_label: str | None = None
    original_score: float | None = None
    edited: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if not isinstance(self.box, Box):
            raise TypeError(f"box must be a Box, not {type(self.box).__name__}")
        _check("label", self.label, LABELS)
        _check("finding_type", self.finding_type, FINDING_TYPES + (None,))
        _check("source", self.source, SOURCES)
        _check("status", self.status, STATUSES)
        if self.score is not None:
            object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "attributes", _plain_json("attributes", self.attributes))

    def replace(self, **changes: Any) -> Finding:
        """A copy with ``changes`` applied (same id unless given)."""
        return dataclasses.replace(self, **changes)

    def with_provenance(self) -> Finding:
        """A copy whose ``original_*`` fields record the current box, label and score."""
        return self.replace(original_box=self.box, original_label=self.label, original_score=self.score)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict (boxes as ``[x0, y0, x1, y1]`` lists)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["box"] = list(self.box.as_tuple())
        out["original_box"] = list(self.original_box.as_tuple()) if self.original_box else None
        out["attributes"] = dict(self.attributes)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        d = dict(data)
        d["box"] = Box.of(d["box"])
        d["original_box"] = Box.of(d["original_box"]) if d.get("original_box") else None
        d["edited"] = bool(d.get("edited", False))
        d["attributes"] = dict(d.get("attributes") or {})
        return cls(**d)


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """One row of the append-only audit log: a finding before and after an action.

    ``action`` is e.g. ``"add"``, ``"move"``, ``"set label"``, ``"undo move"``,
    ``"model add"``; ``before``/``after`` are :meth:`Finding.to_json` dicts or None
    (None before an insert, None after a delete). ``time`` is ISO 8601 UTC.
    """

    action: str
    finding_id: str
    image_key: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    time: str
    user: str
    id: int | None = None  # row id in the store


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageRecord:
    """An image known to the store; ``key`` is the absolute path string.

    ``content_hash`` names the film by its pixels (``review.identity.content_hash``), so two files of
    one film are known as one; ``modality`` is the DICOM Modality (``"MG"`` for a mammogram) where
    known. Both are None when not known (stores written before they were kept).
    """

    key: str
    width: int
    height: int
    review_state: str = "unreviewed"
    pixel_spacing_mm: float | None = None
    note: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    content_hash: str | None = None
    modality: str | None = None

    def __post_init__(self) -> None:
        if int(self.width) <= 0 or int(self.height) <= 0:
            raise ValueError(f"image size must be positive: {self.width}x{self.height}")
        object.__setattr__(self, "width", int(self.width))
        object.__setattr__(self, "height", int(self.height))
        _check("review_state", self.review_state, REVIEW_STATES)
        object.__setattr__(self, "metadata", _plain_json("metadata", self.metadata))

    def replace(self, **changes: Any) -> ImageRecord:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class FindingChange:
    """One persisted edit: insert (before None), update, or delete (after None)."""

    action: str
    before: Finding | None
    after: Finding | None

    def __post_init__(self) -> None:
        if self.before is None and self.after is None:
            raise ValueError("a change needs a finding before or after")
        if self.before and self.after and self.before.id != self.after.id:
            raise ValueError("a change must keep the finding id")

    @property
    def finding(self) -> Finding:
        return self.after if self.after is not None else self.before  # type: ignore[return-value]

    @property
    def kind(self) -> str:
        """``"insert"``, ``"update"`` or ``"delete"``."""
        if self.before is None:
            return "insert"
        return "delete" if self.after is None else "update"

    def inverse(self, action: str) -> FindingChange:
        return FindingChange(action, self.after, self.before)

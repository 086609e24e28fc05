"""A reader's measurements on a film (rulers, ellipses), kept with the review and undoable.

Measurements live in the image's ``metadata["measurements"]`` in the review store (a list of
``{"kind": "ruler"|"ellipse", "points": [x0, y0, x1, y1]}`` in film pixels: a ruler's two ends, an
ellipse's bounding box). :class:`SetMeasurements` is a command of ``review.commands``: pushed on the
film's :class:`~mammoviewer.review.commands.CommandStack` it persists at once and Ctrl+Z undoes it with
the findings' edits. They are not findings: exports and retraining never see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mammoviewer.review.document import ReviewDocument

KINDS = ("ruler", "ellipse")
METADATA_KEY = "measurements"


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measurement: ``kind`` and ``points`` (x0, y0, x1, y1) in film pixels."""

    kind: str
    points: tuple[float, float, float, float]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown measurement kind {self.kind!r} ({', '.join(KINDS)})")
        if len(self.points) != 4:
            raise ValueError(f"a measurement has 4 coordinates, not {len(self.points)}")
        object.__setattr__(self, "points", tuple(round(float(v), 3) for v in self.points))

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "points": list(self.points)}


def measurements_of(doc: ReviewDocument) -> tuple[Measurement, ...]:
    """The measurements stored for ``doc``'s film (malformed entries are skipped)."""
    out = []
    for item in doc.image.metadata.get(METADATA_KEY, []) or []:
        try:
            out.append(Measurement(str(item["kind"]), tuple(item["points"])))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(out)


def _store(doc: ReviewDocument, items: tuple[Measurement, ...]) -> None:
    metadata = dict(doc.image.metadata)
    if items:
        metadata[METADATA_KEY] = [m.to_json() for m in items]
    else:
        metadata.pop(METADATA_KEY, None)
    doc.store.add_image(doc.image.replace(metadata=metadata))  # persisted at once (review state kept)
    doc.reload()  # notifies the document's subscribers


@dataclass(frozen=True, slots=True)
class SetMeasurements:
    """Replace the film's measurements ``before`` by ``after`` (a ``review.commands`` command)."""

    before: tuple[Measurement, ...]
    after: tuple[Measurement, ...]
    text: str = "measurement"

    def apply(self, doc: ReviewDocument) -> None:
        _store(doc, self.after)

    def revert(self, doc: ReviewDocument) -> None:
        _store(doc, self.before)

"""How much of the film J/K show around a finding: the finding with its surroundings, never a close-up
that loses them. Plain arithmetic (no widgets), in image pixels."""

from __future__ import annotations

#: tissue shown around a finding, in mm (what a reader compares it with: about a 4 cm field)
CONTEXT_MM = 40.0
#: without a pixel spacing, the field is this share of the film's shorter side (a film spans ~20 cm)
CONTEXT_SHARE = 0.2
#: the finding takes at most this share of the field's side
FINDING_SHARE = 1.0 / 3.0


def finding_field(box: tuple[float, float, float, float], rows: int, cols: int,
                  spacing_mm: tuple[float, float] | None) -> tuple[float, float, float]:
    """``(centre x, centre y, side)`` of the square region to show for ``box`` = (x0, y0, x1, y1):
    at least :data:`CONTEXT_MM` of tissue (or :data:`CONTEXT_SHARE` of the film without a spacing),
    at least three times the finding, and no larger than the film's longer side."""
    x0, y0, x1, y1 = box
    if spacing_mm and spacing_mm[0] > 0 and spacing_mm[1] > 0:
        context = CONTEXT_MM / min(spacing_mm)
    else:
        context = CONTEXT_SHARE * min(rows, cols)
    side = max((x1 - x0) / FINDING_SHARE, (y1 - y0) / FINDING_SHARE, context, 1.0)
    side = min(side, float(max(rows, cols)))
    return (x0 + x1) / 2.0, (y0 + y1) / 2.0, side

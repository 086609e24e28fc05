"""Where each box's caption goes so that captions of nested or touching boxes do not cover each other.

Pure geometry in image pixels (y down). Captions are placed greedily in priority order (the
selected box first, then by score): each takes the first of its candidate spots, above the box,
inside its top edge, below it, inside its bottom edge, whose rectangle is clear of the captions
already placed; if none is clear it keeps the first spot that fits on the image.
"""

from __future__ import annotations

from dataclasses import dataclass

#: candidate spots, in order of preference
SPOTS = ("above", "inside-top", "below", "inside-bottom")


@dataclass(frozen=True)
class CaptionRequest:
    """One caption to place: its box (x0, y0, x1, y1) and its size (w, h), both in image pixels."""

    key: str
    box: tuple[float, float, float, float]
    size: tuple[float, float]


def spot_rect(box: tuple[float, float, float, float], size: tuple[float, float],
              spot: str) -> tuple[float, float, float, float]:
    """The caption rectangle (x0, y0, x1, y1) at ``spot`` of ``box``."""
    x0, y0, _, y1 = box
    w, h = size
    top = {"above": y0 - h, "inside-top": y0, "below": y1, "inside-bottom": y1 - h}[spot]
    return (x0, top, x0 + w, top + h)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_captions(requests: list[CaptionRequest], image_height: float | None = None) -> dict[str, str]:
    """``{key: spot}`` for ``requests`` given in priority order (see the module docstring)."""
    placed: list[tuple[float, float, float, float]] = []
    out: dict[str, str] = {}
    for r in requests:
        def fits(spot: str) -> bool:
            rect = spot_rect(r.box, r.size, spot)
            return rect[1] >= 0 and (image_height is None or rect[3] <= image_height)

        candidates = [s for s in SPOTS if fits(s)] or ["inside-top"]
        spot = next((s for s in candidates
                     if not any(_overlap(spot_rect(r.box, r.size, s), p) for p in placed)), candidates[0])
        out[r.key] = spot
        placed.append(spot_rect(r.box, r.size, spot))
    return out

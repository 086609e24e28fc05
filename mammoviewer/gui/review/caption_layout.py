"""Where each box's caption goes: inside the pane, clear of the other captions and off other boxes.

Pure geometry in screen pixels (y down), where the captions are drawn unscaled. Captions are placed
greedily in priority order (the selected box first, then by score). Each tries its candidate spots, above
the box, inside its top edge, below it, inside its bottom edge, each aligned with the box's left edge and
then its right edge, every one shifted into the pane (a caption is never cut at the pane's edge, e.g. a
box at the chest wall). The first spot of least cost wins; a spot costs 2 for each caption already placed
that it covers and 1 for each box outline it crosses (its own box's included, so a caption pushed into its
box by the pane's edge goes inside the box instead).
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1

#: candidate spots, in order of preference (each tried left-aligned, then right-aligned)
SPOTS = ("above", "inside-top", "below", "inside-bottom")


@dataclass(frozen=True)
class CaptionRequest:
    """One caption to place: its box and its size (w, h), in screen pixels."""

    key: str
    box: Rect
    size: tuple[float, float]


@dataclass(frozen=True)
class Placement:
    """Where a caption went: its spot, its alignment and its rectangle (screen pixels)."""

    spot: str
    align: str
    rect: Rect


def spot_rect(box: Rect, size: tuple[float, float], spot: str, align: str = "left") -> Rect:
    """The caption rectangle at ``spot`` of ``box`` (before it is shifted into the pane)."""
    x0, y0, x1, y1 = box
    w, h = size
    top = {"above": y0 - h, "inside-top": y0, "below": y1, "inside-bottom": y1 - h}[spot]
    left = x0 if align == "left" else x1 - w
    return (left, top, left + w, top + h)


def shift_into(rect: Rect, pane: Rect | None) -> Rect:
    """``rect`` moved (not resized) to lie inside ``pane``; a caption wider or taller than the pane keeps
    its left or top edge on the pane's."""
    if pane is None:
        return rect
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    x = max(pane[0], min(x0, pane[2] - w))
    y = max(pane[1], min(y0, pane[3] - h))
    return (x, y, x + w, y + h)


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def crosses(rect: Rect, box: Rect) -> bool:
    """True when ``rect`` lies over part of ``box``'s outline (it meets the box without lying inside it)."""
    inside = box[0] <= rect[0] and rect[2] <= box[2] and box[1] <= rect[1] and rect[3] <= box[3]
    return overlaps(rect, box) and not inside


def place_captions(requests: list[CaptionRequest], pane: Rect | None = None) -> dict[str, Placement]:
    """``{key: Placement}`` for ``requests`` given in priority order (see the module docstring)."""
    boxes = [r.box for r in requests]
    placed: list[Rect] = []
    out: dict[str, Placement] = {}
    for r in requests:
        best: tuple[int, Placement] | None = None
        for spot in SPOTS:
            for align in ("left", "right"):
                rect = shift_into(spot_rect(r.box, r.size, spot, align), pane)
                cost = 2 * sum(overlaps(rect, p) for p in placed) + sum(crosses(rect, b) for b in boxes)
                if best is None or cost < best[0]:
                    best = (cost, Placement(spot, align, rect))
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        out[r.key] = best[1]
        placed.append(best[1].rect)
    return out

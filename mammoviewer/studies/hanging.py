"""Hanging protocols: which film goes in which pane, and how it is turned so the chest walls meet.

Layouts (rows top to bottom, panes left to right):

* ``1up``: one film;
* ``2up``: the right and the left film of one view, back to back (R left, L right);
* ``4up``: RCC LCC over RMLO LMLO.

With a prior study, the prior's films of the same view are hung under the current ones (2-up and
4-up become current R, L over prior R, L of one view) or beside the current film (1-up).

Every right film is shown with its chest wall at its right edge and every left film with its chest
wall at its left edge, so in 2-up and 4-up the chest walls meet in the middle of the layout. Where a
film's chest wall lies as stored comes, in this order, from its PatientOrientation (the row direction:
``P`` means the rows run towards the chest wall, which is then at the right edge; ``A`` the reverse),
from a look at its pixels (:func:`chest_wall_side`, when the caller has them), or from the usual
stored presentation (a right breast's chest wall at the right edge, a left breast's at the left).
An MLO/ML/LM film whose columns run towards the head (``H``) is also flipped top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping

import numpy as np

from mammoviewer.studies.films import Film
from mammoviewer.studies.grouping import VIEW_ORDER, Study

LEFT, RIGHT = "left", "right"
_LATERAL_VIEWS = ("MLO", "ML", "LM", "LMO", "SIO")


class Layout(str, Enum):
    """The hanging layouts, valued as ``--layout`` spells them."""

    ONE = "1up"
    TWO = "2up"
    FOUR = "4up"


@dataclass(frozen=True, slots=True)
class Pane:
    """One pane of a hanging: its film (None: an empty pane) and how the film is turned."""

    row: int
    column: int
    film: Film | None
    label: str  # "RCC", "prior LMLO" ... (what the pane should show, even when empty)
    flip_horizontal: bool = False
    flip_vertical: bool = False
    chest_wall: str | None = None  # where the film's chest wall is on screen: "left" or "right"
    prior: bool = False
    #: neither the header nor the pixels (a film too small to tell) say where the chest wall is stored
    orientation_unknown: bool = False


@dataclass(frozen=True, slots=True)
class Hanging:
    """A layout filled from a study: ``rows`` x ``columns`` panes, row-major."""

    layout: Layout
    rows: int
    columns: int
    panes: tuple[Pane, ...]

    def pane(self, row: int, column: int) -> Pane:
        return self.panes[row * self.columns + column]

    @property
    def films(self) -> tuple[Film, ...]:
        return tuple(p.film for p in self.panes if p.film is not None)


def _header_side(film: Film) -> str | None:
    """Where the chest wall is stored according to PatientOrientation's row direction, if it says."""
    row = film.orientation[0] if film.orientation is not None else ""
    return RIGHT if "P" in row else LEFT if "A" in row else None


def stored_chest_wall(film: Film, pixel_side: str | None = None) -> str:
    """Where ``film``'s chest wall is as stored: PatientOrientation, else ``pixel_side``, else convention."""
    side = _header_side(film)
    if side is not None:
        return side
    if pixel_side in (LEFT, RIGHT):
        return pixel_side
    return LEFT if film.laterality == "L" else RIGHT


def chest_wall_side(pixels: np.ndarray, monochrome1: bool = False) -> str | None:
    """The edge (``"left"``/``"right"``) the breast lies against, from the brightness of the outer fifths.

    The breast is brighter than the background (darker for MONOCHROME1) and widest at the chest wall.
    None: orientation unknown (a film narrower than 5 columns, not 2-D, or without finite values there).
    """
    px = np.asarray(pixels)
    if px.ndim != 2 or px.shape[0] < 1 or px.shape[1] < 5:
        return None
    step = max(1, int(np.sqrt(px.size / 65536)))
    small = px[::step, ::step].astype(np.float64)
    fifth = max(1, small.shape[1] // 5)
    with np.errstate(invalid="ignore", over="ignore"):
        left, right = float(small[:, :fifth].mean()), float(small[:, -fifth:].mean())
    if not (np.isfinite(left) and np.isfinite(right)):
        return None
    if monochrome1:
        left, right = -left, -right
    return LEFT if left >= right else RIGHT


def _placed(film: Film | None, row: int, column: int, label: str, prior: bool,
            pixel_sides: Mapping[str, str | None]) -> Pane:
    if film is None:
        return Pane(row, column, None, label, prior=prior)
    wanted = LEFT if film.laterality == "L" else RIGHT  # R films: chest wall right, towards the middle
    pixel_side = pixel_sides.get(film.path)
    stored = stored_chest_wall(film, pixel_side)
    unknown = _header_side(film) is None and film.path in pixel_sides and pixel_side not in (LEFT, RIGHT)
    flip_v = film.view in _LATERAL_VIEWS and film.orientation is not None and "H" in film.orientation[1]
    return Pane(row, column, film, label, flip_horizontal=stored != wanted, flip_vertical=flip_v,
                chest_wall=wanted, prior=prior, orientation_unknown=unknown)


def auto_layout(study: Study) -> Layout:
    """4-up for a screening exam (both sides of CC and MLO, or three of the four), 2-up for one view's
    pair, 1-up otherwise."""
    four = [study.film(side, view) for view in ("CC", "MLO") for side in ("R", "L")]
    if sum(f is not None for f in four) >= 3:
        return Layout.FOUR
    if any(study.film("R", v) and study.film("L", v) for v in study.views):
        return Layout.TWO
    return Layout.ONE


def _pair_view(study: Study, view: str | None) -> str | None:
    if view and view in study.views:
        return view
    paired = [v for v in study.views if study.film("R", v) and study.film("L", v)]
    return (paired or list(study.views) or [None])[0]


def _focus_film(study: Study, focus: str | None) -> Film | None:
    if focus is not None:
        found = next((f for f in study.films if f.path == focus), None)
        if found is not None:
            return found
    return study.films[0] if study.films else None


def hang(study: Study, layout: Layout | str | None = None, *, view: str | None = None,
         focus: str | None = None, prior: Study | None = None,
         pixel_sides: Mapping[str, str | None] | None = None) -> Hanging:
    """Fill ``layout`` (default :func:`auto_layout`) from ``study``.

    ``view`` picks the view of a 2-up (default: the first view with both sides, CC before MLO);
    ``focus`` (a film path) the film of a 1-up (default: the study's first); ``prior`` hangs the
    prior study's matching films too; ``pixel_sides`` maps a film path to the chest-wall side seen in
    its pixels (:func:`chest_wall_side`; None: it could not tell), used when the header gives no
    orientation; a film neither says is hung by convention and marked ``orientation_unknown``.
    """
    layout = Layout(layout) if layout is not None else auto_layout(study)
    sides = pixel_sides or {}
    if layout is Layout.ONE:
        film = _focus_film(study, focus)
        panes = [_placed(film, 0, 0, film.label if film else "empty", False, sides)]
        if prior is not None and film is not None:
            match = prior.film(film.laterality or "", film.view or "") if film.laterality else None
            panes.append(_placed(match, 0, 1, f"prior {film.label}", True, sides))
        return Hanging(layout, 1, len(panes), tuple(panes))
    if layout is Layout.FOUR and prior is None:
        panes = [_placed(study.film(side, v), r, c, f"{side}{v}", False, sides)
                 for r, v in enumerate(("CC", "MLO")) for c, side in enumerate(("R", "L"))]
        return Hanging(layout, 2, 2, tuple(panes))
    chosen = _pair_view(study, view) or VIEW_ORDER[0]
    panes = [_placed(study.film(side, chosen), 0, c, f"{side}{chosen}", False, sides)
             for c, side in enumerate(("R", "L"))]
    if prior is not None:
        panes += [_placed(prior.film(side, chosen), 1, c, f"prior {side}{chosen}", True, sides)
                  for c, side in enumerate(("R", "L"))]
    return Hanging(layout, 2 if prior is not None else 1, 2, tuple(panes))

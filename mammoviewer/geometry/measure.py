"""Measurements on a film: a ruler in millimetres and the statistics of an elliptical region.

Distances use the film's pixel spacing (row, column in mm). A film without one is assumed to span
:data:`~mammoviewer.geometry.mias.ASSUMED_FILM_HEIGHT_MM` in height, as the models assume, and every
result then says that its spacing is assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mammoviewer.geometry.mias import ASSUMED_FILM_HEIGHT_MM


@dataclass(frozen=True, slots=True)
class Spacing:
    """Pixel spacing in mm (row, column); ``assumed`` when the film did not give one."""

    row_mm: float
    column_mm: float
    assumed: bool = False


@dataclass(frozen=True, slots=True)
class RegionStats:
    """Pixel statistics inside an ellipse: ``mean``/``sd`` in stored (modality) units."""

    mean: float
    sd: float
    pixels: int
    area_mm2: float
    assumed: bool

    def describe(self) -> str:
        note = " (spacing assumed)" if self.assumed else ""
        return f"mean {self.mean:.1f}  sd {self.sd:.1f}  area {self.area_mm2:.1f} mm\u00b2{note}"


def spacing_for(pixel_spacing_mm: tuple[float, float] | None, rows: int) -> Spacing:
    """The film's spacing, or the assumed one (its height spans ``ASSUMED_FILM_HEIGHT_MM``)."""
    if pixel_spacing_mm and all(s > 0 for s in pixel_spacing_mm):
        return Spacing(float(pixel_spacing_mm[0]), float(pixel_spacing_mm[1]))
    s = ASSUMED_FILM_HEIGHT_MM / max(int(rows), 1)
    return Spacing(s, s, assumed=True)


def ruler_mm(start: tuple[float, float], end: tuple[float, float], spacing: Spacing) -> float:
    """Length in mm from ``start`` to ``end``, points as (x = column, y = row) in pixels."""
    dx = (end[0] - start[0]) * spacing.column_mm
    dy = (end[1] - start[1]) * spacing.row_mm
    return math.hypot(dx, dy)


def describe_length(mm: float, spacing: Spacing) -> str:
    return f"{mm:.1f} mm" + (" (spacing assumed)" if spacing.assumed else "")


def ellipse_stats(pixels: np.ndarray, x0: float, y0: float, x1: float, y1: float, spacing: Spacing) -> RegionStats:
    """Statistics of the pixels whose centres lie in the ellipse inscribed in box ``x0, y0, x1, y1``."""
    px = np.asarray(pixels)
    if px.ndim != 2:
        raise ValueError(f"a film of shape {px.shape} is not 2-D")
    if x1 < x0:
        x0, x1 = x1, x0
    if y1 < y0:
        y0, y1 = y1, y0
    a, b = (x1 - x0) / 2.0, (y1 - y0) / 2.0
    area = math.pi * a * b * spacing.row_mm * spacing.column_mm
    c0, c1 = max(int(math.floor(x0)), 0), min(int(math.ceil(x1)), px.shape[1])
    r0, r1 = max(int(math.floor(y0)), 0), min(int(math.ceil(y1)), px.shape[0])
    if a <= 0 or b <= 0 or c1 <= c0 or r1 <= r0:
        return RegionStats(float("nan"), float("nan"), 0, area, spacing.assumed)
    rows, cols = np.mgrid[r0:r1, c0:c1]
    inside = ((cols + 0.5 - (x0 + a)) / a) ** 2 + ((rows + 0.5 - (y0 + b)) / b) ** 2 <= 1.0
    values = px[r0:r1, c0:c1][inside].astype(np.float64)
    if values.size == 0:
        return RegionStats(float("nan"), float("nan"), 0, area, spacing.assumed)
    return RegionStats(float(values.mean()), float(values.std()), int(values.size), area, spacing.assumed)

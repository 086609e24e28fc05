"""Film -> classifier input: the shared display pipeline, resampling by pixel spacing, orientation.

Every film is rendered with ``mammoviewer.io.display.render`` (what the reader sees), resampled
with ``cv2.INTER_AREA`` to ``pixel_mm`` square pixels, flipped so the chest wall is on the LEFT,
and placed in a ``size`` x ``size`` square (top-left aligned horizontally, centred vertically,
zero padded). A mini-MIAS film (1024 x 1024 at 0.2 mm) becomes exactly 256 x 256 at 0.8 mm.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mammoviewer.detect.input_guard import check_film
from mammoviewer.geometry.mias import ASSUMED_FILM_HEIGHT_MM
from mammoviewer.io.display import render
from mammoviewer.io.image import Image

PIXEL_MM = 0.8
SIZE = 256


@dataclass(frozen=True, slots=True)
class Prepared:
    """A classifier input (float32 ``[size, size]`` in [0, 1]) and how it was made."""

    pixels: np.ndarray
    flipped: bool  # mirrored left-right to put the chest wall on the left
    scale: float  # input pixels per original pixel (columns)


def chest_wall_on_right(picture: np.ndarray) -> bool:
    """True when the right half holds more tissue (sum of brightness) than the left half."""
    pic = np.asarray(picture, dtype=np.float64)
    half = pic.shape[1] // 2
    return bool(pic[:, pic.shape[1] - half :].sum() > pic[:, :half].sum())


def normalise_orientation(picture: np.ndarray) -> tuple[np.ndarray, bool]:
    """Mirror the picture left-right if needed so the chest wall is on the left; (picture, flipped)."""
    if chest_wall_on_right(picture):
        return np.ascontiguousarray(picture[:, ::-1]), True
    return picture, False


def spacing_of(image: Image) -> tuple[float, float]:
    """(row, column) pixel spacing in mm; unknown -> the film height spans ``ASSUMED_FILM_HEIGHT_MM``."""
    if image.pixel_spacing_mm and all(s and s > 0 for s in image.pixel_spacing_mm):
        return float(image.pixel_spacing_mm[0]), float(image.pixel_spacing_mm[1])
    s = ASSUMED_FILM_HEIGHT_MM / max(image.rows, 1)
    return s, s


def resample(picture: np.ndarray, spacing: tuple[float, float], pixel_mm: float) -> np.ndarray:
    """Area-resample to ``pixel_mm`` square pixels (at least 1 x 1)."""
    rows = max(1, int(round(picture.shape[0] * spacing[0] / pixel_mm)))
    cols = max(1, int(round(picture.shape[1] * spacing[1] / pixel_mm)))
    if (rows, cols) == picture.shape[:2]:
        return picture.astype(np.float32, copy=False)
    return cv2.resize(picture.astype(np.float32, copy=False), (cols, rows), interpolation=cv2.INTER_AREA)


def fit_square(picture: np.ndarray, size: int) -> tuple[np.ndarray, float]:
    """Shrink (INTER_AREA) to fit ``size`` x ``size`` if larger, then zero-pad: left-aligned, centred rows."""
    rows, cols = picture.shape[:2]
    scale = min(1.0, size / rows, size / cols)
    if scale < 1.0:
        new = (max(1, int(round(cols * scale))), max(1, int(round(rows * scale))))
        picture = cv2.resize(picture, new, interpolation=cv2.INTER_AREA)
        rows, cols = picture.shape[:2]
    out = np.zeros((size, size), dtype=np.float32)
    top = (size - rows) // 2
    out[top : top + rows, :cols] = picture
    return out, scale


def prepare(image: Image, pixel_mm: float = PIXEL_MM, size: int = SIZE) -> Prepared:
    """The classifier input for a loaded image (see the module docstring)."""
    spacing = spacing_of(image)
    check_film(image, spacing, not image.pixel_spacing_mm, pixel_mm)  # refuse what a native resize would abort on
    picture = render(image)
    small = resample(picture, spacing, pixel_mm)
    small, flipped = normalise_orientation(small)
    square, shrink = fit_square(small, size)
    scale = small.shape[1] / max(image.columns, 1) * shrink
    return Prepared(np.clip(square, 0.0, 1.0), flipped, float(scale))

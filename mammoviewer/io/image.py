"""The image record every loader returns, and the display window record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Window:
    """A VOI window: centre/width in modality units, DICOM PS3.3 C.11.2.1.2 semantics."""

    center: float
    width: float
    name: str = ""
    function: str = "LINEAR"  # LINEAR, LINEAR_EXACT or SIGMOID


@dataclass(frozen=True, slots=True)
class VoiLut:
    """A VOI LUT table (VOI LUT Sequence item): ``first_mapped`` input maps to ``table[0]``."""

    first_mapped: int
    bits: int
    table: np.ndarray
    name: str = ""


@dataclass(eq=False, slots=True)
class Image:
    """A 2-D grayscale image at full fidelity.

    ``pixels`` holds the stored values after the Modality LUT (rescale or LUT
    sequence), full bit depth, row 0 = top of the image as stored; never flipped
    or inverted. MONOCHROME1 inversion belongs to the display pipeline
    (``mammoviewer.io.display``), not to the pixels.
    """

    path: str
    format: str  # "pgm", "dicom", "png", "tiff"
    pixels: np.ndarray
    bits_stored: int
    photometric: str = "MONOCHROME2"
    pixel_spacing_mm: tuple[float, float] | None = None  # (row, column)
    laterality: str | None = None  # "L" or "R"
    view: str | None = None  # "CC", "MLO", ...
    modality: str | None = None
    windows: tuple[Window, ...] = ()
    voi_luts: tuple[VoiLut, ...] = ()
    presentation_intent: str | None = None  # "FOR PRESENTATION" / "FOR PROCESSING"
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def columns(self) -> int:
        return int(self.pixels.shape[1])

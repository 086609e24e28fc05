"""Whether the window may give a film a case decision: the DICOM header's not-a-mammogram test.

:func:`not_a_mammogram` is the cheap, header-only half of ``mammoviewer.density.guard`` (the
Modality, with Body Part Examined BREAST for digitised films stored as RG/OT/SC), run on the UI
thread when a film is shown; the breast test runs with the models, off the UI thread, and its
refusal reaches the window as their error.
"""

from __future__ import annotations

from mammoviewer.density.guard import modality_problem
from mammoviewer.io.image import Image


def not_a_mammogram(image: Image) -> str | None:
    """``"not a mammogram: DICOM Modality CT (computed tomography), not MG"`` or None."""
    return modality_problem(image)

"""The breast composition for a report, from the density model when it is installed and fitted.

The hook the report form calls (:func:`composition_of`): each film's tissue class F/G/D from
``mammoviewer.density`` (percent density and its tissue rule card); the study's composition is the
densest film's, as a report grades the denser breast. Without the density package or its card, or
when no film can be graded, it returns None and the reader picks the composition in the form.
"""

from __future__ import annotations

from typing import Iterable

from mammoviewer.errors import MammoViewerError
from mammoviewer.io.image import Image

#: tissue classes least dense first
ORDER = ("F", "G", "D")


def composition_of(images: Iterable[Image]) -> str | None:
    """``"F"``, ``"G"`` or ``"D"`` for the densest gradable film, None when the model cannot say."""
    try:
        from mammoviewer.density import load_rule, measure_density
    except ImportError:
        return None
    try:
        rule = load_rule()
    except (MammoViewerError, OSError, ValueError):
        return None
    grades = []
    for image in images:
        try:
            tissue, _scores = rule.classify(measure_density(image).features)
        except (MammoViewerError, ValueError):
            continue  # not a mammogram, no breast found: no grade from this film
        if tissue in ORDER:
            grades.append(tissue)
    return max(grades, key=ORDER.index) if grades else None

"""One film's density as ``mammoviewer density --json`` reports it: path in, entry out, never raises.

The entry is ``{"path", "percent_density", "tissue", "scores": {"F", "G", "D"}}``, or ``{"path", "error"}``
with a one-line message (a film that cannot be read, or is not a mammogram), as ``detect``'s entries.
"""

from __future__ import annotations

from typing import Any

from mammoviewer.density.measure import measure_density
from mammoviewer.density.tissue import TissueRule
from mammoviewer.errors import MammoViewerError


def density_entry(rule: TissueRule, path: str) -> dict[str, Any]:
    """Load ``path``, measure its density and grade its tissue with ``rule``."""
    from mammoviewer.io import load_image

    try:
        measure = measure_density(load_image(path))
    except MammoViewerError as exc:
        return {"path": path, "error": " ".join(str(exc).split())}
    except Exception as exc:  # noqa: BLE001 - an unexpected failure on one film is that film's error
        return {"path": path, "error": " ".join(f"{path}: unexpected {type(exc).__name__}: {exc}".split())}
    tissue, scores = rule.classify(measure.features)
    return {"path": path, "percent_density": round(measure.percent_density, 2), "tissue": tissue, "scores": scores}

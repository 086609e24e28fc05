"""Detection of one film as the CLI reports it: path in, the ``detect --json`` entry out.

``mammoviewer detect`` and ``mammoviewer batch`` both call :func:`detect_film`, so a film gives the
same entry whichever command ran it. A film that cannot be read or detected gives
``{"path", "error"}`` instead of raising: one bad file never stops a run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from mammoviewer.errors import DetectorError, MammoViewerError


@dataclass(frozen=True, slots=True)
class FilmResult:
    """One film's ``detect --json`` entry and what the review store also keeps of it."""

    entry: dict[str, Any]
    #: column pixel spacing of the film in mm (None when unknown or on error)
    pixel_spacing_mm: float | None = None

    @property
    def failed(self) -> bool:
        return "error" in self.entry


@dataclass(frozen=True, slots=True)
class ModelIdentity:
    """What a model's card says, read without loading TensorFlow."""

    name: str
    version: str
    default_threshold: float

    @property
    def label(self) -> str:
        """``"<name> <version>"``, as ``detect --json`` reports ``"model"``."""
        return f"{self.name} {self.version}"


def error_entry(path: str, message: str) -> dict[str, Any]:
    """The entry of a film that failed: ``{"path", "error"}`` with a one-line message."""
    return {"path": path, "error": " ".join(str(message).split())}


def detect_film(detector: Any, path: str, threshold: float, check: Callable[[Any], None] | None = None) -> FilmResult:
    """Load ``path`` and detect on it with ``detector``; never raises for a bad film. ``check(image)``, when
    given, may refuse the loaded film with a MammoViewerError (e.g. the not-a-mammogram rule).

    The entry is ``{"path", "width", "height", "seconds", "findings": [{"box", "label", "score"}]}``
    (boxes rounded to 0.01 px, scores to 1e-6), or ``{"path", "error"}``.
    """
    from mammoviewer.io import load_image

    try:
        t0 = time.perf_counter()
        image = load_image(path)
        if check is not None:
            check(image)
        findings = detector.detect(image, threshold=threshold)
        seconds = time.perf_counter() - t0
    except MammoViewerError as exc:
        return FilmResult(error_entry(path, str(exc)))
    except Exception as exc:  # noqa: BLE001 - an unexpected failure on one film is that film's error
        return FilmResult(error_entry(path, f"{path}: unexpected {type(exc).__name__}: {exc}"))
    spacing = image.pixel_spacing_mm[1] if image.pixel_spacing_mm else None
    return FilmResult({
        "path": path,
        "width": image.columns,
        "height": image.rows,
        "seconds": round(seconds, 4),
        "findings": [
            {"box": [round(v, 2) for v in d.box], "label": d.label, "score": round(d.score, 6)}
            for d in findings
        ],
    }, None if spacing is None else float(spacing))  # fmt: skip


def model_identity(model: str | Path | None = None) -> ModelIdentity:
    """Name, version and default threshold of a model (default: the bundled one) from its card.

    The same values :class:`~mammoviewer.detect.Detector` reports, without importing TensorFlow;
    DetectorError for a missing model or an unreadable card.
    """
    from mammoviewer.detect.detector import resolve_model_paths

    model_path, card_path = resolve_model_paths(model)
    try:
        card = json.loads(card_path.read_text())
        return ModelIdentity(str(card.get("name", model_path.parent.name)), str(card.get("version", "0")),
                             float(card.get("default_threshold", 0.5)))  # fmt: skip
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise DetectorError(f"{card_path}: not a readable model card ({exc})") from exc

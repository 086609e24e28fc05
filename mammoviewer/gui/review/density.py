"""Breast density in the Findings panel: percent density and the tissue class of the shown film.

:class:`DensityView` is the panel's line; :class:`DensityService` measures the shown film on the job
runner (channel ``"density"``; a newer film supersedes it, a result for a film no longer shown is dropped)
and draws the line. A film that is not a mammogram (another DICOM modality, no breast found) gets a note,
never a grade.
"""

from __future__ import annotations

from typing import Any

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from mammoviewer.density.measure import measure_density
from mammoviewer.density.tissue import TISSUE_NAMES, load_rule
from mammoviewer.errors import NotMammogramError
from mammoviewer.gui.jobs import JobRunner
from mammoviewer.io.image import Image

NOTE_STYLE = "color: #e0a030;"


def film_density(image: Image, card: str | None = None) -> dict[str, Any]:
    """``{"percent_density", "tissue", "scores"}`` of ``image``, or ``{"note"}`` when it is not a
    mammogram; other MammoViewerErrors propagate (the job's failure). Everything it needs is imported
    with this module, on the UI thread: two workers importing one package at once can fail."""
    try:
        measure = measure_density(image)
    except NotMammogramError as exc:
        return {"note": str(exc).split(": ", 1)[-1]}
    tissue, scores = load_rule(card).classify(measure.features)
    # the rule knows mini-MIAS renderings only (PGM/PNG films of one scanner); a DICOM film is another's
    return {"percent_density": measure.percent_density, "tissue": tissue, "scores": scores,
            "outside": image.format == "dicom"}


def density_text(result: dict[str, Any]) -> tuple[str, str]:
    """(line, tooltip) of a :func:`film_density` result."""
    if "note" in result:
        note = str(result["note"])
        return f"{note[:1].upper()}{note[1:]}; no density grade", ""
    t = result["tissue"]
    scores = ", ".join(f"{k} {v:.2f}" for k, v in result["scores"].items())
    rule = "mini-MIAS rule, a guess on this film's scanner" if result.get("outside") else "mini-MIAS rule"
    return (f"Density: {result['percent_density']:.1f} % dense \u00b7 tissue {t} ({TISSUE_NAMES[t]}) \u00b7 {rule}",
            f"Tissue class probabilities: {scores}. The rule was fitted on mini-MIAS films (one scanner, 200 "
            "micron); on films of other scanners it is a guess. See models/README.md.")


class DensityView(QLabel):
    """The panel's density line; :meth:`show_text` draws it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Density: no film", parent)
        self.setObjectName("density")
        self.setWordWrap(True)

    def show_text(self, text: str, tip: str = "", note: bool = False) -> None:
        self.setText(text)
        self.setToolTip(tip)
        self.setStyleSheet(NOTE_STYLE if note else "")


class DensityService(QObject):
    """Measures the shown film off the UI thread and keeps :class:`DensityView` up to date.
    ``measured(key)`` fires when the shown film's line is final."""

    measured = Signal(str)

    def __init__(self, jobs: JobRunner, view: DensityView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.view = jobs, view
        self.key: str | None = None
        self.result: dict[str, Any] | None = None

    def show_film(self, key: str | None, image: Image | None) -> None:
        """Measure ``image`` (store key ``key``); None clears. A running measurement is superseded."""
        self.jobs.cancel("density")
        self.key, self.result = key, None
        if key is None or image is None:
            self.view.show_text("Density: no film")
            return
        self.view.show_text("Density: measuring\u2026")
        job = self.jobs.submit(film_density, image, channel="density")
        job.finished.connect(lambda result, k=key: self._on_result(k, result))
        job.failed.connect(lambda message, k=key: self._on_result(k, {"failed": message}))

    def _on_result(self, key: str, result: dict[str, Any]) -> None:
        if key != self.key:
            return  # a film no longer shown
        self.result = dict(result)
        if "failed" in result:
            self.view.show_text(f"Density not measured: {result['failed']}", note=True)
        else:
            text, tip = density_text(result)
            self.view.show_text(text, tip, note="note" in result or bool(result.get("outside")))
        self.measured.emit(key)

    def cancel(self) -> None:
        self.jobs.cancel("density")


__all__ = ["DensityService", "DensityView", "density_text", "film_density"]

"""The case score beside the findings list: the case classifier's opinion, the detector's top
finding, and a warning when the two disagree.

* ``case_score_text``: the pure decision logic (:func:`counted_findings`, :func:`top_finding`,
  :func:`disagreement`) and the wording of the lines and tooltips.
* :class:`CaseScoreView`: the lines shown in the Findings panel's "Case score" box.
* :class:`CaseScoreService`: loads the classifier once on the job runner (channel
  ``"classifier-model"``) and scores the shown film on channel ``"classify"`` (a newer film
  supersedes it; a result for a film no longer shown is dropped), then redraws the view. When the
  card has the contralateral rule, the detector also scores the patient's other breast, found
  beside the film (channel ``"other-breast"``), and the case score compares the two.

The classifier object knows nothing of threads: anything with ``name``, ``version``,
``threshold``, ``card``, ``predict(image)`` and ``decide(probabilities)`` will do.
"""

from __future__ import annotations

from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from mammoviewer import keras_runtime
from mammoviewer.classify.case_score import OtherBreast, other_breast
from mammoviewer.density.guard import check_mammogram  # imported here, on the UI thread, not by a worker
from mammoviewer.gui.review.case_score_text import (case_warning, combined_tooltip, comparison_tooltip, model_scores,
                                                    other_breast_text, probabilities_text, score_text, top_finding)
from mammoviewer.gui.review.film_kind import not_a_mammogram
from mammoviewer.gui.jobs import TENSORFLOW, JobRunner
from mammoviewer.io.image import Image
from mammoviewer.review import Finding

WARNING_STYLE = "color: #e0a030; font-weight: bold;"
NOTE_STYLE = "color: #9a9a9a;"


# -- the box -----------------------------------------------------------------------------
class CaseScoreView(QWidget):
    """The lines of the "Case score" box; :meth:`show` draws them from plain values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.classifier_label = QLabel("Case classifier: not loaded yet")
        self.probabilities_label = QLabel("")
        self.decision_label = QLabel("")
        self.detector_label = QLabel("")
        self.other_label = QLabel("")
        self.warning_label = QLabel("")
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.note_label = QLabel("")  # a plain note (no contradiction), e.g. the two thresholds differ
        self.note_label.setStyleSheet(NOTE_STYLE)
        for label in (self.classifier_label, self.probabilities_label, self.decision_label,
                      self.detector_label, self.other_label, self.warning_label, self.note_label):
            label.setWordWrap(True)
            layout.addWidget(label)
        self.warning_label.hide()
        self.note_label.hide()

    def show_state(self, classifier_text: str, probabilities: dict[str, float] | None, decision_text: str,
                   detector_text: str, detector_tip: str, warning: str | None, other_text: str = "",
                   note: str = "") -> None:
        self.classifier_label.setText(classifier_text)
        self.other_label.setText(other_text)
        self.other_label.setVisible(bool(other_text))
        self.probabilities_label.setText(probabilities_text(probabilities) if probabilities else "")
        self.probabilities_label.setVisible(bool(probabilities))
        self.decision_label.setText(decision_text)
        self.decision_label.setVisible(bool(decision_text))
        self.detector_label.setText(detector_text)
        self.detector_label.setToolTip(detector_tip)
        self.detector_label.setVisible(bool(detector_text))
        self.warning_label.setText(f"\u26a0 {warning}" if warning else "")
        self.warning_label.setVisible(bool(warning))
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

    @property
    def warning(self) -> str:
        """The disagreement line shown ("" when none)."""
        return self.warning_label.text() if not self.warning_label.isHidden() else ""


def classifier_factory(path: str | None = None) -> Callable[[], Any]:
    """A callable that loads the case classifier (default: the bundled one) and scores a blank
    film once, so later films only compute."""

    def load() -> Any:
        from mammoviewer.classify import CaseClassifier

        keras_runtime.leave_a_core_free()  # as the detector does; imports Keras quietly, once
        with keras_runtime.collector_paused(freeze=True):
            classifier = CaseClassifier.load(path)
            classifier.warm_up()
        return classifier

    return load


def _predict(classifier: Any, image: Image) -> dict[str, float]:
    check_mammogram(image)  # a CT, an ultrasound or a leg film is refused, never scored "normal"
    with keras_runtime.collector_paused():
        return dict(classifier.predict(image))


def _score_other_breast(detector: Any, image: Image) -> OtherBreast | None:
    with keras_runtime.collector_paused():
        return other_breast(detector, image)


# -- the service -------------------------------------------------------------------------
class CaseScoreService(QObject):
    """Loads the classifier, scores the shown film and keeps :class:`CaseScoreView` up to date.

    ``scored(key)`` fires when the shown film's probabilities arrived (or scoring failed);
    ``settled()`` is True once nothing more will come for the shown film.
    """

    scored = Signal(str)

    def __init__(self, jobs: JobRunner, view: CaseScoreView, factory: Callable[[], Any] | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.view, self.factory = jobs, view, factory
        self.classifier: Any | None = None
        self.error: str | None = None
        self._loading = False
        self.key: str | None = None
        self._image: Image | None = None
        self.probabilities: dict[str, float] | None = None  # the classifier's own
        #: what the box shows: the combined case score (or the classifier's own without a rule)
        self.case_probabilities: dict[str, float] | None = None
        self._failed: str | None = None  # scoring of the shown film failed
        self._not_mammogram = ""
        self._findings: list[Finding] = []
        self._findings_ready = False
        self._threshold = 0.5
        self._detector_name = ""
        self._detector: Any | None = None
        #: the other breast: "idle" (not asked yet), "pending", "done" (``_other`` set, or None with a note)
        self._other_state = "idle"
        self._other: OtherBreast | None = None
        self._other_note = ""

    def load(self) -> None:
        """Start loading the classifier in the background (once)."""
        if self.factory is None or self.classifier is not None or self._loading or self.error:
            self.redraw()
            return
        self._loading = True
        job = self.jobs.submit(self.factory, channel="classifier-model", lane=TENSORFLOW)
        job.finished.connect(self._on_loaded)
        job.failed.connect(self._on_load_failed)
        self.redraw()

    def _on_loaded(self, classifier: Any) -> None:
        self._loading = False
        self.classifier = classifier
        self._find_other_breast()
        self._score()

    def _on_load_failed(self, message: str) -> None:
        self._loading = False
        self.error = message
        self.redraw()
        if self.key is not None:
            self.scored.emit(self.key)

    # -- the shown film ------------------------------------------------------------------
    def show_film(self, key: str | None, image: Image | None) -> None:
        """Score ``image`` (store key ``key``); None clears. A running scoring is superseded."""
        self.jobs.cancel("classify")
        self.jobs.cancel("other-breast")
        self.key, self._image = key, image
        #: why the shown film is not a mammogram ("" when it may be one): no score, no decision
        self._not_mammogram = (not_a_mammogram(image) or "") if image is not None else ""
        self.probabilities, self.case_probabilities, self._failed = None, None, None
        self._findings, self._findings_ready = [], False
        self._other_state, self._other, self._other_note = "idle", None, ""
        self._score()

    def set_findings(self, findings: list[Finding], threshold: float, ready: bool = True,
                     detector_name: str = "", detector: Any | None = None) -> None:
        """The shown film's current findings and threshold (re-evaluates the warning); until
        ``ready`` (the detector has not finished) no disagreement is flagged. ``detector`` (the
        loaded one) scores the other breast's film when the classifier's card compares the two."""
        self._findings, self._threshold = list(findings), float(threshold)
        self._findings_ready, self._detector_name = bool(ready), detector_name
        if detector is not None:
            self._detector = detector
        self._find_other_breast()
        self.redraw()

    def _wants_other_breast(self) -> bool:
        return getattr(self.classifier, "paired", None) is not None and self._detector is not None

    def _find_other_breast(self) -> None:
        if (self._other_state != "idle" or not self._findings_ready or not self._wants_other_breast()
                or self._not_mammogram
                or self.key is None or self._image is None):
            return
        self._other_state, key = "pending", self.key
        job = self.jobs.submit(_score_other_breast, self._detector, self._image, channel="other-breast",
                               lane=TENSORFLOW)
        job.finished.connect(lambda other, k=key: self._on_other_breast(k, other, ""))
        job.failed.connect(lambda message, k=key: self._on_other_breast(k, None, message))

    def _on_other_breast(self, key: str, other: OtherBreast | None, note: str) -> None:
        if key != self.key:
            return  # a film no longer shown
        self._other_state, self._other, self._other_note = "done", other, note
        self.redraw()
        self.scored.emit(key)

    def settled(self) -> bool:
        """True when the box shows all it will for the shown film (scored, failed or no classifier)."""
        if self.factory is None or self.error or self.key is None or self._not_mammogram:
            return True
        if self._other_state == "pending":
            return False
        return self.probabilities is not None or self._failed is not None

    def cancel(self) -> None:
        self.jobs.cancel("classify")
        self.jobs.cancel("other-breast")

    def _score(self) -> None:
        if (self.classifier is not None and self.key is not None and self._image is not None
                and not self._not_mammogram):
            key = self.key
            job = self.jobs.submit(_predict, self.classifier, self._image, channel="classify", lane=TENSORFLOW)
            job.finished.connect(lambda p, k=key: self._on_scored(k, p))
            job.failed.connect(lambda m, k=key: self._on_score_failed(k, m))
        self.redraw()

    def _on_scored(self, key: str, probabilities: dict[str, float]) -> None:
        if key != self.key:
            return  # a film no longer shown
        self.probabilities = dict(probabilities)
        self.redraw()
        self.scored.emit(key)

    def _on_score_failed(self, key: str, message: str) -> None:
        if key != self.key:
            return
        self._failed = message
        self.redraw()
        self.scored.emit(key)

    # -- drawing -------------------------------------------------------------------------
    def redraw(self) -> None:
        c, view = self.classifier, self.view
        if self.factory is None:
            view.show_state("Case classifier: off", None, "", "", "", None)
            return
        if self.error:
            view.show_state(f"Case classifier not available: {self.error}", None, "", "", "", None)
            return
        if c is None:
            view.show_state("Case classifier: loading\u2026", None, "", "", "", None)
            return
        if self.key is None:
            view.show_state(f"Case classifier {c.name} {c.version}: no film", None, "", "", "", None)
            return
        head = f"Classifier {c.name} {c.version}"
        refused = self._not_mammogram or (self._failed if self._failed and "not a mammogram" in self._failed else "")
        if refused:
            why = refused.split("not a mammogram", 1)[1].lstrip(": ")
            view.show_state(f"Not a mammogram{': ' + why if why else ''}", None,
                            "Decision: none (the models are for mammograms only)", "", "", None)
            return
        top = top_finding(self._findings)
        det_name = f"Detector {self._detector_name}" if self._detector_name else "Detector"
        if not self._findings_ready:
            det_text = f"{det_name}: findings not ready yet"
        elif top is not None:
            det_text = f"{det_name}: top finding score {score_text(top.score)} (class guess: {top.label})"
        else:
            det_text = f"{det_name}: no scored finding"

        tip = comparison_tooltip(getattr(c, "card", {}) or {})
        if self._failed is not None:
            view.show_state(f"{head}: scoring failed: {self._failed}", None, "", det_text, tip, None)
            return
        if self.probabilities is None:
            view.show_state(f"{head}: scoring\u2026", None, "", det_text, tip, None)
            return
        rule, other_text = getattr(c, "combined", None), ""
        if rule is not None:
            if not self._findings_ready:
                view.show_state(f"Case score ({head} + detector): waiting for the findings\u2026", None, "",
                                det_text, tip, None)
                return
            if self._wants_other_breast() and self._other_state != "done":
                view.show_state(f"Case score ({head} + detector): scoring the other breast\u2026", None, "",
                                det_text, tip, None)
                return
            other = self._other if self._other_state == "done" else None
            if hasattr(c, "case_rule"):
                rule = c.case_rule(other is not None)
            if self._wants_other_breast():
                other_text = other_breast_text(other, self._other_note)
            shown = rule.probabilities(model_scores(self._findings), self.probabilities,
                                       other.scores if other is not None and rule.contralateral else None)
            decide, threshold = rule.decide, rule.threshold
            head, tip = f"Case score ({det_name.lower()} findings + {head.lower()}):", combined_tooltip(c.card)
        else:
            shown, decide, threshold = self.probabilities, c.decide, c.threshold
            head = f"{head} (weaker than the detector, see tooltip):"
        self.case_probabilities = dict(shown)
        decision = decide(shown)
        abnormal = 1.0 - shown["normal"]
        side = "\u2265" if abnormal >= threshold else "<"
        decision_text = (f"Decision: {decision} (abnormal score {score_text(abnormal)} {side} its threshold "
                         f"{threshold:.3f})")
        warning, note = None, ""
        if self._findings_ready:
            warning, note = case_warning(decision, self._findings, self._threshold, threshold,
                                         "Case score" if rule is not None else "Classifier")
        view.show_state(head, shown, decision_text, det_text, tip, warning, other_text, note)
        view.classifier_label.setToolTip(tip)

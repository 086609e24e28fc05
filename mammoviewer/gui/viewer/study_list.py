"""The studies worklist: patients, their studies (date, layout, review state, exam score) and each study's views.

The reader picks the order: as listed (patients, then dates; the default) or the most suspicious exams
first (highest exam score 1-10, ``mammoviewer.classify.exam_score``; unscored studies last).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from mammoviewer.gui.viewer.worklist import STATE_BADGES
from mammoviewer.review.keys import image_key
from mammoviewer.studies import Study

STUDY_ROLE = Qt.ItemDataRole.UserRole
ORDERS = ("as listed", "exam score")


def study_state(study: Study, states: Mapping[str, str]) -> str:
    """``reviewed`` when every film is, ``in progress`` when any was opened for review, else ``unreviewed``."""
    film_states = [states.get(image_key(f.path), "unreviewed") for f in study.films]
    if film_states and all(s == "reviewed" for s in film_states):
        return "reviewed"
    return "in progress" if any(s != "unreviewed" for s in film_states) else "unreviewed"


class StudyList(QWidget):
    """Patients > studies > views. ``studyChosen(int)`` when the reader picks a study."""

    studyChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Studies")
        self.title.setObjectName("panelTitle")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setIndentation(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.order = QComboBox()
        self.order.addItems(["as listed", "by exam score"])
        self.order.setToolTip("Reading order: as listed, or the most suspicious exams first (exam score 1-10)")
        head = QHBoxLayout()  # the order box sits beside the title: the panel is no taller
        head.addWidget(self.title, 1)
        head.addWidget(self.order)
        layout.addLayout(head)
        layout.addWidget(self.tree)
        self.exam_scores: list[int | None] = []
        self._states: Mapping[str, str] = {}
        self.order.currentIndexChanged.connect(lambda _i: self._rebuild())
        self.studies: list[Study] = []
        self._items: list[QTreeWidgetItem] = []
        self._priors: dict[int, int] = {}
        self.current = -1
        self.tree.itemActivated.connect(self._on_item)
        self.tree.itemClicked.connect(self._on_item)

    def set_studies(self, studies: Sequence[Study], priors: Mapping[int, int] | None = None) -> None:
        """List ``studies``; ``priors`` maps a study's index to its prior's."""
        self.studies, self._priors = list(studies), dict(priors or {})
        self.exam_scores = [None] * len(self.studies)
        self._states = {}
        self._rebuild()

    def set_exam_scores(self, scores: Sequence[int | None]) -> None:
        """Show each study's exam score (by study index; None: not scored) and re-sort if ordered by it."""
        if len(scores) != len(self.studies):
            return  # scores of another list
        self.exam_scores = list(scores)
        if self.order.currentIndex() == 1:
            self._rebuild()
        else:
            self.set_states(self._states)

    def set_order(self, order: str) -> None:
        """``"as listed"`` or ``"exam score"``."""
        self.order.setCurrentIndex(ORDERS.index(order))

    def display_order(self) -> list[int]:
        """Study indices from the top of the tree down."""
        return [int(item.data(0, STUDY_ROLE)) for item in sorted(self._items, key=self._row)]

    def _row(self, item: QTreeWidgetItem) -> tuple[int, int]:
        parent = item.parent()
        return (self.tree.indexOfTopLevelItem(parent), parent.indexOfChild(item))

    def _rebuild(self) -> None:
        indices = list(range(len(self.studies)))
        if self.order.currentIndex() == 1:
            best: dict[str, int] = {}
            for i in indices:
                best[self.studies[i].patient] = max(best.get(self.studies[i].patient, 0), self.exam_scores[i] or 0)
            indices.sort(key=lambda i: (-best[self.studies[i].patient], -(self.exam_scores[i] or 0)))
        self.tree.clear()
        self._items = [QTreeWidgetItem()] * len(self.studies)
        patients: dict[str, QTreeWidgetItem] = {}
        for i in indices:
            study = self.studies[i]
            parent = patients.get(study.patient)
            if parent is None:
                parent = patients[study.patient] = QTreeWidgetItem(self.tree, [f"Patient {study.patient}"])
                parent.setExpanded(True)
            item = QTreeWidgetItem(parent, [""])
            item.setData(0, STUDY_ROLE, i)
            item.setToolTip(0, study.study)
            for film in study.films:
                child = QTreeWidgetItem(item, [f"{film.label}  {Path(film.path).name}"])
                child.setData(0, STUDY_ROLE, i)
                child.setToolTip(0, film.path)
            self._items[i] = item
        n_patients = len(patients)
        self.title.setText(f"Studies  ({len(self.studies)} of {n_patients} patient{'s' if n_patients != 1 else ''})")
        self.set_states(self._states)
        if 0 <= self.current < len(self._items):
            self.set_current(self.current)

    def set_states(self, states: Mapping[str, str]) -> None:
        """Show each study's review state (from the films' states by store key)."""
        self._states = states
        for i, (study, item) in enumerate(zip(self.studies, self._items)):
            state = study_state(study, states)
            prior = self._priors.get(i)
            score = self.exam_scores[i] if i < len(self.exam_scores) else None
            count = len(study.films)
            text = f"{STATE_BADGES[state]} {study.date or 'no date'}  {count} film{'' if count == 1 else 's'}"
            if score is not None:
                text = f"[{score:>2}] " + text
            if prior is not None:
                text += f"  (prior {self.studies[prior].date})"
            item.setText(0, text)
            item.setData(0, STUDY_ROLE + 1, state)
            for film, child in zip(study.films, (item.child(k) for k in range(item.childCount()))):
                badge = STATE_BADGES[states.get(image_key(film.path), "unreviewed")]
                child.setText(0, f"{badge} {film.label}  {Path(film.path).name}")

    def state(self, index: int) -> str | None:
        return self._items[index].data(0, STUDY_ROLE + 1) if 0 <= index < len(self._items) else None

    def set_current(self, index: int) -> None:
        """Highlight study ``index`` (no signal)."""
        self.current = index
        if 0 <= index < len(self._items):
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(self._items[index])
            self._items[index].setExpanded(True)
            self.tree.blockSignals(False)

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        index = item.data(0, STUDY_ROLE)
        if index is not None and int(index) != self.current:
            self.studyChosen.emit(int(index))

"""The studies worklist: patients, their studies (date, layout, review state) and each study's views."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from mammoviewer.gui.viewer.worklist import STATE_BADGES
from mammoviewer.review.keys import image_key
from mammoviewer.studies import Study

STUDY_ROLE = Qt.ItemDataRole.UserRole


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
        layout.addWidget(self.title)
        layout.addWidget(self.tree)
        self.studies: list[Study] = []
        self._items: list[QTreeWidgetItem] = []
        self._priors: dict[int, int] = {}
        self.current = -1
        self.tree.itemActivated.connect(self._on_item)
        self.tree.itemClicked.connect(self._on_item)

    def set_studies(self, studies: Sequence[Study], priors: Mapping[int, int] | None = None) -> None:
        """List ``studies``; ``priors`` maps a study's index to its prior's."""
        self.studies, self._priors = list(studies), dict(priors or {})
        self.tree.clear()
        self._items = []
        patients: dict[str, QTreeWidgetItem] = {}
        for i, study in enumerate(self.studies):
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
            self._items.append(item)
        n_patients = len(patients)
        self.title.setText(f"Studies  ({len(self.studies)} of {n_patients} patient{'s' if n_patients != 1 else ''})")
        self.set_states({})

    def set_states(self, states: Mapping[str, str]) -> None:
        """Show each study's review state (from the films' states by store key)."""
        for i, (study, item) in enumerate(zip(self.studies, self._items)):
            state = study_state(study, states)
            prior = self._priors.get(i)
            text = f"{STATE_BADGES[state]} {study.date or 'no date'}  {len(study.films)} films"
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

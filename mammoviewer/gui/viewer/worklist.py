"""The worklist panel: the images of a folder (or a chosen set), with next/previous.

Each film may show its exam's score 1-10 (``[ 7]``, :meth:`Worklist.set_exam_scores`); the reader can
list the most suspicious exams first (the order box), and the default order stays as listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

#: file name endings the worklist lists when it scans a folder
IMAGE_SUFFIXES = (".pgm", ".dcm", ".dicom", ".png", ".tif", ".tiff")
#: badge shown before a film's name for each review state
STATE_BADGES = {"unreviewed": "\u25cb", "in progress": "\u25d0", "reviewed": "\u25cf"}
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
#: why a listed file cannot be opened (None: it opens, or has not been tried)
BROKEN_ROLE = Qt.ItemDataRole.UserRole + 2
BROKEN_BADGE = "\u2715"
#: the orders the reader can pick
ORDERS = ("as listed", "exam score")


def unreadable_reason(path: str | Path) -> str | None:
    """Why ``path`` cannot be an image, judged from its first bytes only (None: it may open)."""
    from mammoviewer.io.sniff import SNIFF_BYTES, sniff_format

    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not head:
        return "empty file"
    if sniff_format(head) is None:
        return "not an image by its content (not PGM, DICOM, PNG or TIFF)"
    return None


def unreadable_files(paths: list[str]) -> dict[str, str]:
    """``{path: why}`` for the paths that cannot be images (:func:`unreadable_reason`)."""
    found = {p: unreadable_reason(p) for p in paths}
    return {p: why for p, why in found.items() if why}


def image_files(folder: str | Path) -> list[Path]:
    """The image files directly inside ``folder``, sorted by name."""
    folder = Path(folder)
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
                  key=lambda p: p.name.lower())


def listed_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The files of several paths given together (a folder adds the images directly inside it, as Open
    Folder does), and one problem line for each folder without images or path that is not there."""
    files: list[Path] = []
    problems: list[str] = []
    for p in paths:
        if p.is_dir():
            found = image_files(p)
            files += found
            if not found:
                problems.append(f"{p}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
        elif p.is_file():
            files.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    return files, problems


class Worklist(QWidget):
    """A list of image paths. Emits ``currentPathChanged(str)`` when the selection moves
    (click, arrow keys, :meth:`next`, :meth:`previous`).

    With a ``jobs`` runner the files' first bytes are read on a worker (a folder on a slow share does
    not hold the window), and files that cannot be images are marked when the check is back
    (``filesChecked`` is emitted then); without one they are read at once."""

    currentPathChanged = Signal(str)
    pathsChanged = Signal()
    filesChecked = Signal()

    def __init__(self, parent: QWidget | None = None, jobs=None) -> None:
        super().__init__(parent)
        self.jobs = jobs
        self._checking = False  # a check of the listed files is running on a worker
        self._after_check: list = []
        self.title = QLabel("Worklist")
        self.title.setObjectName("panelTitle")
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.order = QComboBox()
        self.order.addItems(["as listed", "by exam score"])
        self.order.setToolTip("Reading order: as listed, or the most suspicious exams first (exam score 1-10)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        head = QHBoxLayout()  # the order box sits beside the title: the panel is no taller
        head.addWidget(self.title, 1)
        head.addWidget(self.order)
        layout.addLayout(head)
        layout.addWidget(self.list)
        self._scores: dict[str, int | None] = {}
        self._listed: list[str] = []
        self.list.currentRowChanged.connect(self._on_row)
        self.order.currentIndexChanged.connect(lambda _i: self._apply_order())

    def set_paths(self, paths: list[str | Path], title: str = "Worklist", current: str | Path | None = None) -> None:
        """Replace the list with ``paths``; select ``current`` (or nothing)."""
        self.list.blockSignals(True)
        self.list.clear()
        for p in paths:
            item = QListWidgetItem(Path(p).name)
            item.setData(Qt.ItemDataRole.UserRole, str(Path(p)))
            item.setToolTip(str(p))
            self.list.addItem(item)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self._listed = [str(Path(p)) for p in paths]
        self._apply_order()
        self._title = title
        self._show_title()
        if current is not None:
            self.select(current, emit=False)
        self.pathsChanged.emit()
        listed = self.paths()
        self._after_check = []
        if self.jobs is None:
            self._mark_unreadable(listed, unreadable_files(listed))
        else:
            self._checking = True
            job = self.jobs.submit(unreadable_files, listed, channel="worklist-check")
            job.finished.connect(lambda found: self._mark_unreadable(listed, found))

    def after_check(self, fn) -> None:
        """Call ``fn`` once the listed files are checked (at once when they are)."""
        if self._checking:
            self._after_check.append(fn)
        else:
            fn()

    def _mark_unreadable(self, listed: list[str], found: dict[str, str]) -> None:
        if listed != self.paths():  # the list changed meanwhile
            return
        for i in range(self.list.count()):
            item = self.list.item(i)
            reason = found.get(item.data(Qt.ItemDataRole.UserRole))
            if reason and not item.data(BROKEN_ROLE):
                self._paint_broken(item, reason)
        self._show_title()
        self._checking = False
        waiting, self._after_check = self._after_check, []
        for fn in waiting:
            fn()
        self.filesChecked.emit()

    def set_states(self, states: Mapping[str, str]) -> None:
        """Show the review state of listed paths (``states[path]``; others keep no badge)."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            path = item.data(Qt.ItemDataRole.UserRole)
            state = states.get(path)
            name = Path(path).name
            if item.data(BROKEN_ROLE):
                continue
            item.setData(STATE_ROLE, state)
            score = self._scores.get(path)
            name = f"[{score:>2}] {name}" if score is not None else name
            item.setText(f"{STATE_BADGES[state]} {name}" if state in STATE_BADGES else name)
            item.setToolTip(f"{path}\n{state}" if state else path)

    def set_exam_scores(self, scores: Mapping[str, int | None]) -> None:
        """Show each listed film's exam score (``scores[path]``) and re-sort if ordered by it."""
        self._scores = {str(Path(p)): s for p, s in scores.items()}
        states = {}
        for i in range(self.list.count()):
            item = self.list.item(i)
            states[item.data(Qt.ItemDataRole.UserRole)] = item.data(STATE_ROLE)
        self.set_states(states)
        self._apply_order()

    def set_order(self, order: str) -> None:
        """``"as listed"`` or ``"exam score"`` (highest first; unscored films last, each kept in listed order)."""
        self.order.setCurrentIndex(ORDERS.index(order))

    def _apply_order(self) -> None:
        rank = {p: i for i, p in enumerate(self._listed)}
        paths = self.paths()
        if self.order.currentIndex() == 1:
            wanted = sorted(paths, key=lambda p: (-(self._scores.get(p) or 0), rank.get(p, len(rank))))
        else:
            wanted = sorted(paths, key=lambda p: rank.get(p, len(rank)))
        if wanted == paths:
            return
        current = self.current_path()
        self.list.blockSignals(True)
        items = {it.data(Qt.ItemDataRole.UserRole): it for it in (self.list.takeItem(0) for _ in range(len(paths)))}
        for p in wanted:
            self.list.addItem(items[p])
        if current is not None:
            self.list.setCurrentRow(wanted.index(current))
        self.list.blockSignals(False)

    def state(self, path: str | Path) -> str | None:
        """The review state shown for ``path`` (None if none is shown)."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == str(Path(path)):
                return item.data(STATE_ROLE)
        return None

    def mark_broken(self, path: str | Path, reason: str) -> None:
        """Mark ``path`` as a file that does not open (struck badge, reason in the tooltip); next and
        previous then pass over it."""
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == str(Path(path)):
                self._paint_broken(item, reason)
        self._show_title()

    def broken(self) -> dict[str, str]:
        """The listed paths known not to open, with why."""
        items = (self.list.item(i) for i in range(self.list.count()))
        return {it.data(Qt.ItemDataRole.UserRole): it.data(BROKEN_ROLE) for it in items if it.data(BROKEN_ROLE)}

    def _paint_broken(self, item: QListWidgetItem, reason: str) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        reason = reason[len(path) + 2:] if reason.startswith(f"{path}: ") else reason  # the item names it
        item.setData(BROKEN_ROLE, reason)
        item.setText(f"{BROKEN_BADGE} {Path(path).name}")
        item.setToolTip(f"{path}\ndoes not open: {reason}")
        item.setForeground(QBrush(QColor(150, 110, 110)))

    def _show_title(self) -> None:
        n, bad = self.list.count(), len(self.broken())
        self.title.setText(f"{getattr(self, '_title', 'Worklist')}  ({n - bad}" + (f", {bad} broken)" if bad else ")"))

    def set_folder(self, folder: str | Path, current: str | Path | None = None) -> list[Path]:
        """List the images of ``folder``; returns them."""
        files = image_files(folder)
        self.set_paths(files, title=Path(folder).name or str(folder), current=current)
        return files

    def paths(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def current_path(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, path: str | Path, emit: bool = True) -> bool:
        """Select ``path`` if listed; True if found."""
        target = str(Path(path))
        for i, p in enumerate(self.paths()):
            if p == target:
                self.list.blockSignals(not emit)
                self.list.setCurrentRow(i)
                self.list.blockSignals(False)
                return True
        return False

    def select_first(self) -> bool:
        """Select the first file not known to be broken (the first of all if every one is); False if empty."""
        rows = [i for i in range(self.list.count()) if not self.list.item(i).data(BROKEN_ROLE)]
        if not self.list.count():
            return False
        self.list.setCurrentRow(rows[0] if rows else 0)
        return True

    def next(self) -> bool:
        """Move to the next image; False at the end."""
        return self._step(+1)

    def previous(self) -> bool:
        """Move to the previous image; False at the start."""
        return self._step(-1)

    def _step(self, delta: int) -> bool:
        row = self.list.currentRow() + delta
        while 0 <= row < self.list.count() and self.list.item(row).data(BROKEN_ROLE):
            row += delta  # files known not to open are passed over
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)
            return True
        return False

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.currentPathChanged.emit(self.list.item(row).data(Qt.ItemDataRole.UserRole))

"""The locate tool: click on a lesion, the detector proposes its box (``mammoviewer.detect.locate``).

L (or the toolbar's Locate button) arms the tool; the next left click on the image runs
:class:`~mammoviewer.detect.locate.Locator` on the TensorFlow lane (``gui/jobs.py``, channel
``"locate"``) and adds its best proposal as a reader-initiated finding (source ``"reader"``,
status ``"pending"``, the model named in ``model_name``/``model_version``, the note
"located from a click", the click and the proposal in ``attributes``), selected. Tab replaces it
with the next proposal (one undo step), A keeps it (the Review menu's accept), Esc drops it
(undoes what the tool did since the click). Everything goes through the film's command stack.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence

from mammoviewer.errors import StoreError
from mammoviewer.gui.jobs import TENSORFLOW
from mammoviewer.review import AddFinding, Box, DeleteFinding, Finding
from mammoviewer.review.truth import LOCATED_FROM

NOTE = "located from a click"
LOCATE_HELP = "Locate: L then click on a lesion \u00b7 Tab next proposal \u00b7 A keep \u00b7 Esc drop"


class ClickLayer(pg.GraphicsObject):
    """Transparent item over the image; while armed, a left click reports its image point."""

    clicked = Signal(float, float)  # column, row

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self.armed = False
        self.setZValue(1000)  # above the finding boxes: while armed the click is the tool's
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def set_image_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def arm(self, on: bool) -> None:
        self.prepareGeometryChange()  # the bounding rectangle is empty while disarmed
        self.armed = bool(on)
        self.setCursor(Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor)

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt naming)
        return QRectF(self._rect) if self.armed else QRectF()

    def paint(self, painter, *args) -> None:
        pass

    # Qt-level press/release: a finding box under the click would otherwise grab the press
    def mousePressEvent(self, ev) -> None:  # noqa: N802
        if self.armed and ev.button() == Qt.MouseButton.LeftButton and self._rect.contains(ev.pos()):
            ev.accept()
        else:
            ev.ignore()

    def mouseReleaseEvent(self, ev) -> None:  # noqa: N802
        if not self.armed or ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        self.arm(False)
        if self._rect.contains(ev.pos()):
            self.clicked.emit(float(ev.pos().x()), float(ev.pos().y()))


def _make_locator(detector: Any) -> Any:
    from mammoviewer import keras_runtime
    from mammoviewer.detect.locate import Locator

    with keras_runtime.collector_paused():
        locator = Locator(detector)
        locator.warm_up()
    return locator


def _prepare(holder: dict, detector: Any) -> None:
    """Worker (TensorFlow lane): make and warm up the locator, so the first click only computes."""
    if holder.get("detector") is not detector:
        holder["locator"], holder["detector"] = _make_locator(detector), detector


def _locate(holder: dict, detector: Any, image: Any, x: float, y: float, cancel: threading.Event,
            progress: Callable[[object], None]) -> list:
    """Worker (TensorFlow lane): the proposals for a click (the locator is made on first use)."""
    from mammoviewer import keras_runtime

    _prepare(holder, detector)
    with keras_runtime.collector_paused():
        return holder["locator"].locate(image, x, y, cancel=cancel)


class LocateTool(QObject):
    """Click-to-locate for a :class:`~mammoviewer.gui.review.controller.ReviewController` (see the
    module docstring). ``proposalShown(finding_id)`` fires when a proposal is added and selected;
    ``modeChanged()`` when the tool is armed or disarmed or a proposal comes or goes (see :meth:`mode_state`)."""

    proposalShown = Signal(str)
    locateFailed = Signal(str)
    modeChanged = Signal()

    def __init__(self, review: Any) -> None:
        super().__init__(review)
        self.review = review
        self.window = review.window
        self.layer = ClickLayer()
        self.layer.clicked.connect(self.locate_at)
        self.window.image_view.add_overlay(self.layer)
        self._holder: dict = {}  # the worker's Locator and the detector it wraps
        self.proposals: list = []
        self.index = 0
        self.click: tuple[float, float] | None = None
        self.current_id: str | None = None
        self._steps = 0  # undo steps pushed for the current proposal
        self._model_parts = ("", "")  # name and version of the model that made the proposals
        self.actions = self._build_actions()
        self.actions["next_proposal"].setEnabled(False)  # Tab moves the focus unless a proposal is shown
        self.window.help_lines.append(LOCATE_HELP)
        self.window.loadStarted.connect(lambda *_: self.reset())
        review.actions["cancel_draw"].triggered.connect(self.drop)  # Esc: one shortcut, two meanings
        review.detection.modelReady.connect(self._prepare)

    def _prepare(self, detector: Any) -> None:
        """The model is loaded: warm the locator up behind the film's detection (same lane)."""
        if hasattr(detector, "detect_planes"):
            self.window.jobs.submit(_prepare, self._holder, detector, channel="locate-prepare", lane=TENSORFLOW)

    def _build_actions(self) -> dict[str, QAction]:
        menu = self.window.menus.get("review")
        out: dict[str, QAction] = {}
        for name, text, keys, slot in (("locate", "Locate lesion at a click", ("L",), self.arm),
                                       ("next_proposal", "Next proposal of the located lesion", ("Tab",),
                                        lambda: self.next_proposal())):
            action = QAction(text, self.window)
            action.setObjectName(name)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.triggered.connect(lambda *_, fn=slot: fn())
            self.window.addAction(action)
            if menu is not None:
                menu.addAction(action)
            out[name] = action
        locate = out["locate"]
        locate.setIconText("Locate")
        locate.setToolTip("Locate a lesion: click on it and the model proposes its box (L)")
        self.window.toolbar.addSeparator()
        self.window.toolbar.addAction(locate)
        return out

    # -- clicking --------------------------------------------------------------------------
    def arm(self) -> None:
        """L: the next left click on the image locates (the draw tool is switched off)."""
        if self.review.film is None or self.review.image is None:
            return
        self.review.editing.set_draw_mode(False)
        image = self.review.image
        self.layer.set_image_rect(QRectF(0, 0, image.columns, image.rows))
        if self.layer.parentItem() is None:  # the view dropped its overlays (new scene)
            self.window.image_view.add_overlay(self.layer)
        self.layer.arm(True)
        self.modeChanged.emit()

    @property
    def armed(self) -> bool:
        return self.layer.armed

    def mode_state(self) -> tuple[str, int, int] | None:
        """``("armed", 0, 0)`` while the next click locates, ``("proposal", n, count)`` while proposal
        ``n`` of ``count`` waits for the reader (Tab, A, Esc), else None."""
        if self.armed:
            return ("armed", 0, 0)
        if self.proposals and self._pending() is not None:
            return ("proposal", self.index + 1, len(self.proposals))
        return None

    def locate_at(self, x: float, y: float) -> None:
        """Run the locator for a click at image point (``x``, ``y``) off the UI thread."""
        det = self.review.detection.detector
        if self.review.film is None or self.review.image is None:
            return
        if det is None or not hasattr(det, "detect_planes"):
            self.window.statusBar().showMessage("Locate needs the detection model (not loaded)", 5000)
            return
        self.click = (x, y)
        self.modeChanged.emit()  # the click disarmed the tool
        key = self.review.key
        job = self.window.jobs.submit(_locate, self._holder, det, self.review.image, x, y, channel="locate",
                                      with_control=True, lane=TENSORFLOW)
        job.finished.connect(lambda found, k=key, d=det: self._on_located(k, d, found))
        job.failed.connect(self._on_failed)

    def _on_failed(self, message: str) -> None:
        self.window.show_error(f"Locate failed: {message}")
        self.locateFailed.emit(message)

    def _on_located(self, key: str | None, detector: Any, found: list) -> None:
        if key != self.review.key or self.review.film is None:
            return  # another film by now
        if not found:
            self.window.statusBar().showMessage("No proposal at the click", 5000)
            return
        self.proposals, self.index, self.current_id, self._steps = list(found), 0, None, 0
        self._model_parts = (str(detector.name), str(detector.version))
        finding = self._finding(0)
        if self._push(AddFinding(finding, text="locate")):
            self._show(finding.id)

    def _finding(self, index: int) -> Finding:
        p = self.proposals[index]
        x, y = self.click or (0.0, 0.0)
        f = Finding(image_key=self.review.key, box=Box.of(p.box), label=p.label, source="reader", status="pending",
                    note=NOTE, model_name=self._model_parts[0], model_version=self._model_parts[1],
                    attributes={LOCATED_FROM: [round(x, 2), round(y, 2)], "locate_model": " ".join(self._model_parts),
                                "proposal": index + 1, "proposals": len(self.proposals),
                                "proposal_score": round(float(p.score), 6), "proposal_source": p.source})
        return f.with_provenance()

    def _push(self, command: Any) -> bool:
        if self.review.editing.push(command):
            self._steps += 1
            return True
        return False

    def _show(self, finding_id: str) -> None:
        self.current_id = finding_id
        self.actions["next_proposal"].setEnabled(len(self.proposals) > 1)
        self.review.select(finding_id, zoom=False)
        self.modeChanged.emit()
        self.proposalShown.emit(finding_id)

    # -- the proposal ------------------------------------------------------------------------
    def _pending(self) -> Finding | None:
        """The shown proposal while it is still undecided (not kept, not dropped, not edited away)."""
        film = self.review.film
        if film is None or self.current_id is None:
            return None
        f = next((f for f in film.doc.findings if f.id == self.current_id), None)
        return f if f is not None and f.status == "pending" and f.note == NOTE else None

    def next_proposal(self) -> bool:
        """Tab: replace the proposal with the next one (one undo step); False when there is none."""
        old = self._pending()
        if old is None or len(self.proposals) < 2:
            self.actions["next_proposal"].setEnabled(False)  # kept or gone: Tab is the focus key again
            return False
        self.index = (self.index + 1) % len(self.proposals)
        new = self._finding(self.index)
        try:
            with self.review.film.stack.group("next proposal"):
                self.review.film.stack.push(DeleteFinding(old.id))
                self.review.film.stack.push(AddFinding(new))
        except StoreError as exc:
            self.review.editing.reload_after(exc)
            return False
        self._steps += 1
        self._show(new.id)
        return True

    def drop(self) -> bool:
        """Esc: undo what the tool pushed since the click (the store is as before it); False if idle."""
        if self.armed:
            self.layer.arm(False)
            self.modeChanged.emit()
            return True
        if self._pending() is None:
            return False
        stack = self.review.film.stack
        while self._steps > 0 and stack.undo_text in ("locate", "next proposal"):
            self.review.editing.undo()
            self._steps -= 1
        self.reset()
        self.review.select(None)
        return True

    def reset(self) -> None:
        """Forget the proposal (film changed, or it was dropped); the store keeps what it holds."""
        self.window.jobs.cancel("locate")
        self.layer.arm(False)
        self.proposals, self.index, self.current_id, self._steps, self.click = [], 0, None, 0, None
        self.actions["next_proposal"].setEnabled(False)
        self.modeChanged.emit()

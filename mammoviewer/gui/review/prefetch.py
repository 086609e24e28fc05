"""Detection of the worklist's other films in the background, so next/previous show at once.

:class:`BackgroundDetection` is a mixin of
:class:`~mammoviewer.gui.review.controller.ReviewController` (it uses its ``detection``,
``session``, ``window``, ``progress``, ``key``, ``_prefetch_done``, ``findings_ready`` and
``_findings_ready``). One film is prefetched at a time, after the shown film's findings are
drawn; the film the reader asks for always goes first.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer

from mammoviewer.errors import StoreError
from mammoviewer.review.keys import image_key


class BackgroundDetection:
    """Prefetch detections for the rest of the worklist (see the module docstring)."""

    detection: Any
    session: Any
    window: Any
    progress: Any
    background_detection: bool
    _prefetch_done: set[str]

    def set_background_detection(self, on: bool) -> None:
        """Detect the worklist's other films in the background (next/previous show at once)."""
        self.background_detection = bool(on)
        if on:
            self._prefetch_next()
        else:
            self.detection.cancel_prefetch()

    def _on_load_started(self, path: str) -> None:
        self.detection.cancel()
        if self.detection.prefetching not in (None, image_key(path)):
            self.detection.cancel_prefetch()  # the film asked for goes first

    def _prefetch_next(self) -> None:
        det = self.detection
        if not self.background_detection or det.detector is None or det.prefetching or det.busy:
            return
        name, version = str(det.detector.name), str(det.detector.version)
        paths = self.window.worklist.paths()
        current = self.window.worklist.current_path()
        start = paths.index(current) + 1 if current in paths else 0
        for path in paths[start:] + paths[:start]:
            key = image_key(path)
            if key == self.key or key in self._prefetch_done:
                continue
            self._prefetch_done.add(key)
            try:
                if self.session.has_model_run(key, name, version):
                    continue
            except StoreError:
                return
            det.prefetch(key, path, self.window.loader)
            return

    def _on_prefetched(self, key: str) -> None:
        if key and key == self.key and not self.findings_ready():
            self.progress.hide()
            try:
                self.session.reload(key)
            except StoreError as exc:
                self.window.show_error(str(exc))
            self._findings_ready(key)
        elif key and key == self.key:
            self.session.reload(key)
        else:
            QTimer.singleShot(0, self._prefetch_next)

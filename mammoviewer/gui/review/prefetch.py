"""Detection of the next few films of the worklist in the background, so next shows at once.

:class:`BackgroundDetection` is the background part of
:class:`~mammoviewer.gui.review.controller.ReviewController`, an object that reads the controller
(``host``) for its detector service, session, window and shown film. It works ahead on the
:data:`AHEAD` films after the shown one in the worklist, never on the whole folder: a film enters the
review store only when it is shown or is one of those few. One film is prefetched at a time, after
the shown film's findings are drawn; the film the reader asks for always goes first.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer

from mammoviewer.errors import StoreError
from mammoviewer.review.keys import image_key

#: how many films after the shown one are detected ahead (a four-view study's other films and one more)
AHEAD = 4


def films_ahead(paths: list[str], current: str | None, ahead: int = AHEAD, shown: str | None = None) -> list[str]:
    """The ``ahead`` paths after ``current`` in ``paths`` (from the first when none is current),
    leaving out the store key ``shown`` (the film on screen)."""
    start = paths.index(current) + 1 if current in paths else 0
    rest = [p for p in paths[start:] if shown is None or image_key(p) != shown]
    return rest[: max(ahead, 0)]


class BackgroundDetection:
    """Prefetch detections of the next :data:`AHEAD` films (see the module docstring)."""

    def __init__(self, host: Any, ahead: int = AHEAD) -> None:
        self.host = host
        self.ahead = ahead
        #: detect the next films in the background (Review menu)
        self.enabled = True
        self.done: set[str] = set()  # keys stored or tried in the background

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if on:
            self.next()
        else:
            self.host.detection.cancel_prefetch()

    def forget(self) -> None:
        """Another model or store: every film may be detected again."""
        self.done.clear()

    def load_started(self, path: str) -> None:
        det = self.host.detection
        det.cancel()
        if det.prefetching not in (None, image_key(path)):
            det.cancel_prefetch()  # the film asked for goes first

    def candidates(self) -> list[str]:
        """The worklist paths this object may detect now (the next few after the shown film)."""
        worklist = self.host.window.worklist
        return films_ahead(worklist.paths(), worklist.current_path(), self.ahead, self.host.key)

    def next(self) -> None:
        """Start the next prefetch, if any is due."""
        host, det = self.host, self.host.detection
        if not self.enabled or det.detector is None or det.prefetching or det.busy:
            return
        name, version = str(det.detector.name), str(det.detector.version)
        for path in self.candidates():
            key = image_key(path)
            if key == host.key or key in self.done:
                continue
            self.done.add(key)
            try:
                if host.session.has_model_run(key, name, version):
                    continue
            except StoreError:
                return
            det.prefetch(key, path, host.window.loader)
            return

    def prefetch_failed(self, key: str) -> None:
        """The background run of ``key`` failed or was cancelled. When it is the shown film, waiting for
        that run, the film is detected in the foreground, which says why it fails (never a silent wait)."""
        host = self.host
        if key and key == host.key and not host.findings_ready():
            host.progress.hide()
            host.detect_again()

    def prefetched(self, key: str) -> None:
        host = self.host
        if key and key == host.key and not host.findings_ready():
            host.progress.hide()
            try:
                host.session.reload(key)
            except StoreError as exc:
                host.window.show_error(str(exc))
            host.findings_arrived(key)  # works ahead from there
            return
        if key and key == host.key:
            try:
                host.session.reload(key)
            except StoreError as exc:
                host.window.show_error(str(exc))
        QTimer.singleShot(0, self.next)

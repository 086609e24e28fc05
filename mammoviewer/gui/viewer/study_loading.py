"""Decoding a study's films on a worker, and waiting for a study to be shown (screenshots, tests)."""

from __future__ import annotations

from typing import Any, Sequence

from mammoviewer.errors import ImageReadError, StoreError
from mammoviewer.gui.viewer.image_view import default_display_window
from mammoviewer.review.keys import image_key
from mammoviewer.studies.hanging import chest_wall_side


def load_films(loader: Any, paths: Sequence[str], cancel=None, progress=None) -> dict[str, Any]:
    """Worker: each film decoded with its default window and the chest-wall side of its pixels (None: a
    film too small to tell)."""
    out: dict[str, Any] = {}
    for path in paths:
        if cancel is not None and cancel.is_set():
            break
        try:
            image = loader(path, cancel=cancel)
        except ImageReadError as exc:
            out[path] = exc
            continue
        side = chest_wall_side(image.pixels, image.photometric == "MONOCHROME1")
        out[path] = (image, default_display_window(image), side)
    return out


def films_with_findings(reader: Any) -> bool:
    """True when every shown film has the current model's findings stored (or detection is off/failed)."""
    review = reader.review
    if review is None or not review.detection.enabled or review.detection.error:
        return True
    detector = review.detection.detector
    if detector is None:
        return False
    from mammoviewer.gui.review.film_kind import not_a_mammogram

    keys = [image_key(p.image.path) for p in reader.view.shown_panes()
            if p.image is not None and not not_a_mammogram(p.image)]  # a CT is never detected: not waited for
    try:
        return all(review.session.has_model_run(k, str(detector.name), str(detector.version)) for k in keys)
    except StoreError:
        return True


def wait_for_study(reader: Any, timeout_s: float = 300.0) -> tuple[str | None, str | None]:
    """Process events until the study is hung and every pane's findings are stored and drawn.

    Returns (the error that stopped the study from showing whole, the detector's error), each None if
    none; a failed load or a pane that cannot show its film ends the wait at once.
    """
    from PySide6.QtCore import QElapsedTimer

    from mammoviewer.gui.app import _run_loop_for, create_app

    app = create_app()
    timer = QElapsedTimer()
    timer.start()
    limit = timeout_s * 1000
    if not reader.studies:
        return (reader.errors[0] if reader.errors else f"no images found in {', '.join(reader.opened)}"), None
    while (reader.is_loading() or reader.view.hanging is None and reader.load_error is None) \
            and timer.elapsed() < limit:
        _run_loop_for(50)
    if reader.view.hanging is None:
        return reader.load_error or f"the study did not load within {timeout_s:g} s", None
    review = reader.review
    while review is not None and timer.elapsed() < limit:
        if review.detection.error:
            return None, review.detection.error
        if films_with_findings(reader) and (review.findings_ready() or not review.detection.enabled):
            break
        _run_loop_for(50)
    reader._refresh_readonly()
    reader.view.fit()
    app.processEvents()
    return study_problem(reader), None


def study_problem(reader: Any) -> str | None:
    """Why the hung study is not shown whole: the failed load of its films, or a pane that could not show
    its film (None: every film that could be read is shown)."""
    return reader.load_error or next(iter(reader.view.pane_errors.values()), None)

"""Where the viewer keeps its review store by default (the user's data folder, as Qt says)."""

from __future__ import annotations

from pathlib import Path

from mammoviewer.errors import StoreError
from mammoviewer.review.store import ReviewStore

STORE_NAME = "review.sqlite"


def default_store_path() -> Path:
    """``<user data folder>/mammoviewer/review.sqlite`` (e.g. ``~/.local/share/mammoviewer/``)."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base or Path.home() / ".local" / "share") / "mammoviewer" / STORE_NAME


def open_store(path: str | Path | None) -> ReviewStore:
    """Open (or create) the store at ``path``, or the default store; StoreError on failure."""
    target = Path(path) if path is not None else default_store_path()
    if path is None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{target.parent}: cannot create the review store folder ({exc})") from exc
    return ReviewStore.open(target)

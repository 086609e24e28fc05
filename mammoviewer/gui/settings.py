"""Persistent viewer settings (recent files) through QSettings."""

from __future__ import annotations

from pathlib import Path

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import QSettings

ORGANIZATION = "MammoViewer"
APPLICATION = "MammoViewer"
MAX_RECENT = 10


def default_settings() -> QSettings:
    """The user's settings store (INI file under the platform's config folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


class RecentFiles:
    """Most-recently-opened files and folders, newest first, at most ``limit``."""

    KEY = "recent/paths"

    def __init__(self, settings: QSettings | None = None, limit: int = MAX_RECENT) -> None:
        self.settings = settings if settings is not None else default_settings()
        self.limit = limit

    def paths(self) -> list[str]:
        value = self.settings.value(self.KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add(self, path: str | Path) -> list[str]:
        """Put ``path`` first (absolute); returns the new list."""
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.paths() if p != path]
        paths = paths[: self.limit]
        self.settings.setValue(self.KEY, paths)
        self.settings.sync()
        return paths

    def clear(self) -> None:
        self.settings.remove(self.KEY)
        self.settings.sync()

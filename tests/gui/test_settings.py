"""Recent files through QSettings: newest first, no duplicates, bounded, persisted."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from mammoviewer.gui.settings import RecentFiles


def test_recent_files_are_newest_first_unique_and_bounded(tmp_path, settings):
    recent = RecentFiles(settings, limit=3)
    for name in ("a.pgm", "b.pgm", "c.pgm", "a.pgm", "d.pgm"):
        recent.add(tmp_path / name)
    assert recent.paths() == [str(tmp_path / n) for n in ("d.pgm", "a.pgm", "c.pgm")]
    reopened = RecentFiles(QSettings(settings.fileName(), QSettings.Format.IniFormat))
    assert reopened.paths()[0] == str(tmp_path / "d.pgm")
    recent.clear()
    assert recent.paths() == []

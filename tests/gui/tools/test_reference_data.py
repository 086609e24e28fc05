"""The retraining's reference folder: what serves, what the settings remember, what falls back."""

from __future__ import annotations

from pathlib import Path

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from mammoviewer.gui.tools.reference_data import ReferenceFolder, folder_problem


def _mias(path: Path) -> Path:
    path.mkdir()
    (path / "Info.txt").write_text("mdb003 D NORM \n")
    return path


def test_a_folder_serves_only_with_its_info_txt(tmp_path: Path) -> None:
    assert folder_problem(tmp_path / "none") == f"{tmp_path / 'none'}: not a folder"
    assert "no Info.txt here" in folder_problem(tmp_path)
    assert folder_problem(_mias(tmp_path / "mias")) is None


def test_the_remembered_folder_comes_first_and_a_vanished_one_falls_back(settings, tmp_path: Path) -> None:
    shared, mine = _mias(tmp_path / "shared"), _mias(tmp_path / "mine")
    ref = ReferenceFolder(settings)
    assert ref.current(None) is None and ref.current(str(shared)) == str(shared)
    ref.remember(mine)
    assert ReferenceFolder(settings).current(str(shared)) == str(mine)
    (mine / "Info.txt").unlink()  # the folder went away or changed: the fallback serves again
    assert ReferenceFolder(settings).current(str(shared)) == str(shared)

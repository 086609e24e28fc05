from pathlib import Path

from mammoviewer.review.keys import image_key


def test_key_is_the_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert image_key("a.pgm") == str(tmp_path / "a.pgm")
    assert image_key(Path("~") / "b.dcm") == str(Path.home() / "b.dcm")
    assert image_key(tmp_path / "c.png") == image_key(str(tmp_path / "c.png"))

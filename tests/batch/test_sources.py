"""``collect_inputs``: files as given, folders searched recursively for images, one input per file."""

import os
import shutil
from pathlib import Path

import pytest

from mammoviewer.batch.sources import FileKey, collect_inputs
from mammoviewer.errors import ImageReadError

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "mdb001.pgm"


def test_folders_are_searched_recursively_for_images_only(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    shutil.copy(SAMPLE, tmp_path / "a" / "deep" / "one.pgm")
    shutil.copy(SAMPLE, tmp_path / "a" / "TWO.PNG")  # endings in any case
    shutil.copy(SAMPLE, tmp_path / "a" / "no_ending")  # sniffed: a PGM by content
    shutil.copy(SAMPLE, tmp_path / ".hidden" / "skipped.pgm")
    (tmp_path / "a" / "notes.txt").write_text("not a film")
    (tmp_path / "a" / "README").write_text("no ending and not an image")
    (tmp_path / "results.jsonl").write_text("{}\n")
    found = [Path(k.path).relative_to(tmp_path).as_posix() for k in collect_inputs([tmp_path])]
    assert found == ["a/TWO.PNG", "a/deep/one.pgm", "a/no_ending"]


def test_a_file_is_one_input_with_its_identity(tmp_path, monkeypatch):
    film = tmp_path / "f.pgm"
    shutil.copy(SAMPLE, film)
    monkeypatch.chdir(tmp_path)
    keys = collect_inputs(["f.pgm", tmp_path, str(film)])  # named twice and inside a named folder
    st = os.stat(film)
    assert keys == [FileKey(str(film), st.st_size, st.st_mtime_ns)]
    os.utime(film, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
    assert FileKey.of(film) != keys[0] and FileKey.of(film).size == keys[0].size


def test_a_file_given_by_name_is_taken_whatever_its_ending(tmp_path):
    other = tmp_path / "film.bin"
    other.write_bytes(b"junk")
    assert [k.path for k in collect_inputs([other])] == [str(other)]


def test_a_missing_source_is_one_error_naming_it(tmp_path):
    with pytest.raises(ImageReadError, match=r"nowhere: no such file or folder"):
        collect_inputs([SAMPLE, tmp_path / "nowhere"])


def test_a_file_that_cannot_be_stated_is_never_finished(tmp_path):
    assert FileKey.of(tmp_path / "gone.pgm") == FileKey(str(tmp_path / "gone.pgm"), -1, -1)

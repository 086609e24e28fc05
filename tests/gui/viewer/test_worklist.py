import threading
from pathlib import Path

import pytest

from mammoviewer.gui.viewer import worklist as wl

NOT_AN_IMAGE = "not an image by its content (not PGM, DICOM, PNG or TIFF)"


@pytest.fixture
def runner(qapp):
    from mammoviewer.gui.jobs import JobRunner

    r = JobRunner()
    yield r
    r.cancel_all()
    assert r.wait(10000)


def _files(tmp_path: Path) -> list[Path]:
    good = tmp_path / "a.pgm"
    good.write_bytes(b"P5\n2 2\n255\n" + bytes(4))
    bad = tmp_path / "b.dcm"
    bad.write_text("not a DICOM file")
    empty = tmp_path / "c.png"
    empty.write_bytes(b"")
    return [good, bad, empty]


def test_without_a_runner_files_are_checked_at_once(qtbot, tmp_path):
    w = wl.Worklist()
    qtbot.addWidget(w)
    good, bad, empty = _files(tmp_path)
    w.set_paths([good, bad, empty])
    assert w.broken() == {str(bad): NOT_AN_IMAGE, str(empty): "empty file"}
    assert w.title.text() == "Worklist  (1, 2 broken)"


def test_with_a_runner_files_are_checked_on_a_worker(qtbot, tmp_path, monkeypatch, runner):
    threads = []
    real = wl.unreadable_reason
    monkeypatch.setattr(wl, "unreadable_reason", lambda p: threads.append(threading.current_thread()) or real(p))
    w = wl.Worklist(jobs=runner)
    good, bad, empty = _files(tmp_path)
    w.set_paths([good, bad, empty])
    qtbot.waitUntil(lambda: len(w.broken()) == 2, timeout=10000)
    assert set(w.broken()) == {str(bad), str(empty)} and w.title.text() == "Worklist  (1, 2 broken)"
    assert len(threads) == 3 and threading.main_thread() not in threads


def test_a_check_for_a_list_since_replaced_is_dropped(qtbot, tmp_path, runner):
    w = wl.Worklist(jobs=runner)
    good, bad, _ = _files(tmp_path)
    w.set_paths([good, bad])
    w._mark_unreadable([str(good)], {str(good): "stale"})  # a result for a list no longer shown
    qtbot.waitUntil(lambda: bool(w.broken()), timeout=10000)
    assert w.broken() == {str(bad): NOT_AN_IMAGE}


def test_after_check_waits_for_the_check_then_selects_a_file_that_opens(qtbot, tmp_path, runner):
    w = wl.Worklist(jobs=runner)
    good, bad, empty = _files(tmp_path)
    w.set_paths([bad, empty, good])
    w.after_check(w.select_first)
    qtbot.waitUntil(lambda: w.current_path() is not None, timeout=10000)
    assert w.current_path() == str(good)
    w.after_check(lambda: w.select(bad))  # nothing pending: runs at once
    assert w.current_path() == str(bad)

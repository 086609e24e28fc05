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


def test_exam_scores_shown_and_the_reader_may_sort_by_them(qapp, tmp_path):
    paths = []
    for name in ("a", "b", "c", "d"):
        p = tmp_path / f"{name}.pgm"
        p.write_bytes(b"P5\n2 2\n255\n" + bytes(4))
        paths.append(str(p))
    w = wl.Worklist()
    w.set_paths(paths, current=paths[0])
    w.set_states({paths[0]: "reviewed"})
    w.set_exam_scores({paths[0]: 3, paths[1]: 9, paths[2]: None, paths[3]: 9})
    assert w.paths() == paths  # the default order stays as listed
    assert w.list.item(0).text() == f"{wl.STATE_BADGES['reviewed']} [ 3] a.pgm"
    assert w.list.item(1).text() == "[ 9] b.pgm" and w.list.item(2).text() == "c.pgm"
    w.set_order("exam score")
    assert w.paths() == [paths[1], paths[3], paths[0], paths[2]]  # ties keep the listed order, unscored last
    assert w.current_path() == paths[0]  # the selection stays on its film
    assert w.next() and w.current_path() == paths[2]
    w.set_order("as listed")
    assert w.paths() == paths

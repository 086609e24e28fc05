"""The job runner: results and errors arrive on the UI thread; stale jobs are dropped."""

from __future__ import annotations

import threading

import pytest

from mammoviewer.errors import ImageReadError


@pytest.fixture
def runner(app):
    from mammoviewer.gui.jobs import JobRunner

    r = JobRunner()
    yield r
    r.cancel_all()
    assert r.wait(10000)


def test_result_arrives_on_the_ui_thread(qtbot, runner):
    seen = {}

    def work(a, b):
        seen["worker"] = threading.get_ident()
        return a + b

    job = runner.submit(work, 2, 3, channel="sum")
    with qtbot.waitSignal(job.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == [5]
    assert seen["worker"] != threading.get_ident()


def test_project_error_becomes_a_failed_message(qtbot, runner):
    def broken():
        raise ImageReadError("/x/film.pgm", "truncated PGM data")

    job = runner.submit(broken)
    with qtbot.waitSignal(job.failed, timeout=10000) as blocker:
        pass
    assert blocker.args == ["/x/film.pgm: truncated PGM data"]


def test_unexpected_exception_is_reported_not_raised(qtbot, runner):
    job = runner.submit(lambda: 1 / 0)
    with qtbot.waitSignal(job.failed, timeout=10000) as blocker:
        pass
    assert "ZeroDivisionError" in blocker.args[0]


def test_newer_job_on_a_channel_supersedes_the_older(qtbot, runner):
    gate = threading.Event()
    results: list[object] = []

    def slow(cancel, progress):
        progress(0.5)
        gate.wait(10)
        return "old" if not cancel.is_set() else "old-cancelled"

    old = runner.submit(slow, channel="image", with_control=True)
    old.finished.connect(results.append)
    new = runner.submit(lambda: "new", channel="image")
    new.finished.connect(results.append)
    assert old.cancelled
    qtbot.waitUntil(lambda: results == ["new"], timeout=10000)
    gate.set()
    assert runner.wait(10000)
    qtbot.wait(50)  # let any queued result of the old job be delivered (it must be dropped)
    assert results == ["new"]
    assert runner.current("image") is None


def test_progress_and_cancel_are_passed_to_the_callable(qtbot, runner):
    progress: list[object] = []

    def work(n, cancel, progress):
        for i in range(n):
            progress(i)
        return isinstance(cancel, threading.Event)

    job = runner.submit(work, 3, with_control=True)
    job.progress.connect(progress.append)
    with qtbot.waitSignal(job.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == [True]
    qtbot.waitUntil(lambda: progress == [0, 1, 2], timeout=5000)


def test_jobs_on_one_lane_never_overlap_and_other_work_still_runs(qtbot, runner):
    from mammoviewer.gui.jobs import TENSORFLOW

    gate, inside, overlaps = threading.Event(), [], []
    lock = threading.Lock()

    def model_work(name):
        with lock:
            inside.append(name)
            if len(inside) > 1:
                overlaps.append(tuple(inside))
        gate.wait(10)
        with lock:
            inside.remove(name)
        return name

    first = runner.submit(model_work, "load", channel="model", lane=TENSORFLOW)
    second = runner.submit(model_work, "detect", channel="detect", lane=TENSORFLOW)
    third = runner.submit(model_work, "classify", channel="classify", lane=TENSORFLOW)
    # the lane is busy (and queued), yet an image load on the ordinary pool finishes
    image = runner.submit(lambda: "pixels", channel="image")
    with qtbot.waitSignal(image.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == ["pixels"]
    assert first.is_running and second.is_running and third.is_running
    done: list[str] = []
    for job in (first, second, third):
        job.finished.connect(done.append)
    gate.set()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=10000)
    assert sorted(done) == ["classify", "detect", "load"]
    assert overlaps == []


def test_a_job_cancelled_while_waiting_for_its_lane_never_starts(qtbot, runner):
    from mammoviewer.gui.jobs import TENSORFLOW

    gate, started = threading.Event(), []

    def model_work(name):
        started.append(name)
        gate.wait(10)
        return name

    busy = runner.submit(model_work, "busy", channel="model", lane=TENSORFLOW)
    waiting = runner.submit(model_work, "waiting", channel="detect", lane=TENSORFLOW)
    qtbot.waitUntil(lambda: started == ["busy"], timeout=10000)
    runner.cancel("detect")
    gate.set()
    with qtbot.waitSignal(busy.finished, timeout=10000):
        pass
    assert runner.wait(10000)
    assert started == ["busy"]
    assert waiting.cancelled


def test_start_early_runs_before_later_lane_jobs_which_get_its_result(qtbot, runner):
    from mammoviewer.gui.jobs import start_early

    order: list[str] = []
    gate = threading.Event()

    def load():
        gate.wait(10)
        order.append("load")
        return "model"

    load.label = "idbll-test 1"
    factory = start_early(load, lane="early-test")
    assert factory.label == "idbll-test 1"  # what the status bar names while it loads
    job = runner.submit(lambda: (order.append("job"), factory())[1], channel="model", lane="early-test")
    gate.set()
    with qtbot.waitSignal(job.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == ["model"] and order == ["load", "job"]


def test_start_early_passes_its_error_to_the_job_that_asks(qtbot, runner):
    from mammoviewer.gui.jobs import start_early

    def broken():
        raise ImageReadError("/x/model.onnx", "cannot load")

    factory = start_early(broken, lane="early-test")
    job = runner.submit(factory, channel="model", lane="early-test")
    with qtbot.waitSignal(job.failed, timeout=10000) as blocker:
        pass
    assert "cannot load" in blocker.args[0]

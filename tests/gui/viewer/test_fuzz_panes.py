"""Seeded hostile films (window, VOI and rescale values; films down to 1x1; truncated files; the shared
GE samples) in the hanging panes and the studies reader, with real offscreen widgets: every case is
shown (painted, Enhanced on or off, the magnifier over each film) or refused with one of the project's
errors, and no case keeps the reader waiting. The cases run in a child process, so a native crash in a
paint fails the test naming the case."""

from __future__ import annotations

import pytest
from child_cases import failures, run_cases

#: seeded cases per run (about 10 s each on 2 busy cores)
PANE_CASES, READER_CASES = 120, 40


def test_seeded_films_in_two_up_and_four_up_panes(tmp_path):
    pytest.importorskip("PySide6")
    results = run_cases(tmp_path, "panes", seed=11, count=PANE_CASES)
    assert not failures(results), failures(results)[:3]
    shown = [r for r in results if r["outcome"] == "shown"]
    assert len(shown) >= PANE_CASES // 2 and sum(r["panes"] for r in shown) >= PANE_CASES


def test_seeded_studies_in_the_reader_never_wait(tmp_path):
    pytest.importorskip("PySide6")
    results = run_cases(tmp_path, "reader", seed=13, count=READER_CASES)
    assert not failures(results), failures(results)[:3]
    assert max(r["seconds"] for r in results) < 20
    assert any(r["outcome"] == "shown" for r in results)
    for r in results:
        assert "\n" not in r.get("message", ""), r

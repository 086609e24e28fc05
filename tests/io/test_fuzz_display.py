"""Seeded films with hostile Window Center/Width, VOI LUT Function, VOI LUT and rescale values through the
display pipeline: each loads, with finite levels, LUTs, pictures and CLAHE for every window it offers
(and for a window set directly, anything from NaN to 1e308), or is refused in one line naming it.

The cases run in a child process (``tests/display_fuzz_driver.py``): a native crash fails the test
naming the case. The panes and the studies reader have their own run (tests/gui/viewer/test_fuzz_panes.py).
"""

from __future__ import annotations

from child_cases import failures, run_cases

#: seeded cases (about 10 s on 2 busy cores)
CASES = 300


def test_every_seeded_film_displays_finitely_or_is_refused_in_one_line(tmp_path):
    results = run_cases(tmp_path, "display", seed=7, count=CASES)
    assert not failures(results), failures(results)[:3]
    refused = [r for r in results if r["outcome"] == "refused"]
    for r in refused:
        assert r["message"].startswith(r["path"]) and "\n" not in r["message"], r
    loaded = len(results) - len(refused)
    assert loaded >= CASES // 2 and refused, f"{loaded} loaded, {len(refused)} refused: the cases must do both"

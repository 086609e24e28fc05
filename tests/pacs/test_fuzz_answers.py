"""Seeded hostile answers from a scripted node on loopback (C-FIND identifiers with junk values and
VRs, odd statuses; C-GET images with junk UIDs, cut or failed retrieves): every one ends in a result
or one PacsError line, never another error, a file outside the study folder or a hidden folder left.

The cases run in a child process (``fuzz_answers_driver.py``), so a native abort fails the test naming
the case that caused it instead of killing the test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("fuzz_answers_driver.py")
FINDS, GETS = 40, 20


@pytest.mark.slow
def test_every_hostile_answer_is_a_result_or_one_pacs_error(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(DRIVER), str(tmp_path), "32", str(FINDS), str(GETS)],
                          capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)  # fmt: skip
    lines = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0:
        started = [ln for ln in lines if "start" in ln]
        culprit = started[-1] if started else "(none started)"
        pytest.fail(f"the process died (exit {proc.returncode}) on case {culprit}: {proc.stderr.strip()[-800:]}")
    results = [ln for ln in lines if "done" in ln]
    assert len(results) == FINDS + GETS
    escaped = [r for r in results if r["outcome"] == "escaped"]
    assert not escaped, f"{len(escaped)} cases escaped as other errors: {escaped[:5]}"
    for r in results:
        if r["outcome"] == "refused":
            assert r["type"] == "PacsError" and r["message"].startswith("SCRIPTED@127.0.0.1:"), r
            assert "\n" not in r["message"] and "association rejected" not in r["message"], r
    outcomes = Counter((r["kind"], r["outcome"]) for r in results)
    assert all(outcomes[(k, o)] for k in ("find", "get") for o in ("loaded", "refused")), outcomes

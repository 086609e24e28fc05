"""Seeded hostile MIAS, COCO and CAD SR files: every one is imported and then exported in every format,
or refused in one line naming the file, by one of the project's own errors (never an internal error).

The cases run in a child process (``fuzz_import_driver.py``), so a native abort fails the test naming
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
DRIVER = Path(__file__).with_name("fuzz_import_driver.py")
#: cases per format
PLAN = {"mias": 90, "coco": 90, "cad-sr": 70}


def run_cases(tmp_path: Path, seed: int, plan: dict[str, int]) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    args = [f"{fmt}:{n}" for fmt, n in plan.items()]
    proc = subprocess.run([sys.executable, str(DRIVER), str(tmp_path), str(seed), *args], capture_output=True,
                          text=True, timeout=600, env=env, cwd=ROOT)  # fmt: skip
    lines = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0:
        started = [ln for ln in lines if "start" in ln]
        culprit = started[-1]["case"] if started else "(none started)"
        pytest.fail(f"the process died (exit {proc.returncode}) on case {culprit}: {proc.stderr.strip()[-800:]}")
    return [ln for ln in lines if "done" in ln]


@pytest.mark.slow
def test_every_hostile_label_file_imports_and_exports_or_is_refused_in_one_line(tmp_path):
    results = run_cases(tmp_path, seed=32, plan=PLAN)
    assert len(results) == sum(PLAN.values())
    escaped = [r for r in results if r["outcome"] == "escaped"]
    assert not escaped, f"{len(escaped)} cases escaped as other errors: {escaped[:5]}"
    for r in results:
        if r["outcome"] == "refused":
            assert r["message"].startswith(str(tmp_path)) and "\n" not in r["message"], r
        else:
            assert all("\n" not in line for line in r["export_refused"]), r
    by_format = Counter((r["format"], r["outcome"]) for r in results)
    for fmt in PLAN:  # the mutants must do both, for each format
        assert by_format[(fmt, "loaded")] and by_format[(fmt, "refused")], by_format

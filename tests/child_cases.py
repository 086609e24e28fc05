"""Runs ``display_fuzz_driver.py`` in a child process, so a native crash (a segfault in a paint) fails the
test naming the case instead of killing the test run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared_paths import ROOT

DRIVER = Path(__file__).with_name("display_fuzz_driver.py")
#: a case that ends in one of these is a failure
FAILURES = ("escaped", "broken", "warned")


def run_cases(tmp_path: Path, mode: str, seed: int, count: int, timeout: float = 300) -> list[dict]:
    """Run ``count`` cases of ``mode``; fails the test if the child dies or writes to stderr."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               HOME=str(tmp_path), PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(DRIVER), str(tmp_path), mode, str(seed), str(count)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    lines = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0:
        started = [ln["start"] for ln in lines if "start" in ln]
        culprit = f"{mode} case {started[-1]} (seed {seed})" if started else "before the first case"
        pytest.fail(f"the process died (exit {proc.returncode}) on {culprit}: {proc.stderr.strip()[-800:]}")
    noise = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert not noise, f"the cases wrote to stderr: {noise[:8]}"
    done = [ln for ln in lines if "done" in ln]
    assert len(done) == count, f"{len(done)} of {count} cases reported"
    return done


def failures(results: list[dict]) -> list[dict]:
    return [r for r in results if r["outcome"] in FAILURES]

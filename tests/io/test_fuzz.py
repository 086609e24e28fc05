"""Seeded mutants of the shared DICOM files, a PGM and a PNG: every one either loads, renders and is
prepared for both models, or is refused with one of the project's own errors in one line naming it.

The mutants run in a child process, so a native abort (a codec, OpenCV or a huge allocation) fails
the test naming the mutant that caused it instead of killing the test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loader_paths import ROOT, SAMPLES, SHARED

DRIVER = Path(__file__).with_name("fuzz_driver.py")
#: mutants per source file (22 readable DICOM files, a PGM, a PNG)
PER_DICOM, PER_RASTER = 10, 40
#: larger than this, a file would make the run slow on a 2-core machine
MAX_SOURCE_BYTES = 3_000_000


def _sources() -> list[tuple[Path, int]]:
    dicom = sorted(p for p in (SHARED / "dicom").glob("*.dcm")
                   if not p.name.startswith("broken_") and p.stat().st_size <= MAX_SOURCE_BYTES)
    png = sorted((SHARED / "mias").glob("mdb00*.png"))[:1]
    return [(p, PER_DICOM) for p in dicom] + [(SAMPLES / "mdb023.pgm", PER_RASTER)] + [(p, PER_RASTER) for p in png]


def _run(tmp_path: Path, sources: list[tuple[Path, int]], seed: int) -> list[dict]:
    """All mutants in one child process (a native abort fails the test naming the mutant)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    args = [f"{path}:{count}" for path, count in sources]
    proc = subprocess.run([sys.executable, str(DRIVER), str(tmp_path), str(seed), *args],
                          capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    lines = [json.loads(ln) for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0:
        started = [ln for ln in lines if "start" in ln]
        culprit = started[-1]["path"] if started else "(none started)"
        pytest.fail(f"the process died (exit {proc.returncode}) on mutant {culprit}: {proc.stderr.strip()[-500:]}")
    noise = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert not noise, f"the mutants wrote to stderr: {noise[:5]}"
    return [ln for ln in lines if "done" in ln]


@pytest.mark.skipif(not (SHARED / "dicom").is_dir(), reason="the shared DICOM set is not available")
def test_every_mutant_loads_or_is_refused_in_one_line(tmp_path):
    sources = _sources()
    assert len(sources) >= 10
    results = _run(tmp_path, sources, seed=15)
    escaped = [r for r in results if r["outcome"] == "escaped"]
    assert not escaped, f"{len(escaped)} mutants escaped as other errors: {escaped[:5]}"
    refused = [r for r in results if r["outcome"].startswith("refused")]
    for r in refused:
        assert r["message"].startswith(r["path"]) and "\n" not in r["message"], r
        assert "/io/opencv" not in r["message"] and ".cpp" not in r["message"], r
    assert len(results) >= 250
    loaded = len(results) - len(refused)
    assert refused and loaded, f"{loaded} loaded, {len(refused)} refused: the mutants must do both"

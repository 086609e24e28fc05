"""A writer killed with SIGKILL mid-session leaves a sound store with every committed edit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mammoviewer.review import ImageRecord, ReviewDocument, ReviewStore

KEY = "/films/mdb005.png"

_EDITOR = textwrap.dedent(
    """
    import sys
    from mammoviewer.review import (AddFinding, Box, CommandStack, Finding, MoveFinding,
                                    ReviewDocument, ReviewStore, SetNote)
    store = ReviewStore.open(sys.argv[1], create=False)
    doc = ReviewDocument.open(store, sys.argv[2])
    stack = CommandStack(doc)
    i = 0
    while True:
        f = Finding(image_key=doc.key, box=Box(i, 0, i + 10, 10), label="benign")
        stack.push(AddFinding(f))
        print("added", f.id, flush=True)
        stack.push(MoveFinding(f.id, f.box, f.box.translated(0, 5)))
        stack.push(SetNote(f.id, f"note {i}"))
        print("edited", f.id, flush=True)
        i += 1
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_mid_session_loses_no_committed_edit(tmp_path: Path) -> None:
    path = tmp_path / "s.mvstore"
    with ReviewStore.open(path) as s:
        s.add_image(ImageRecord(key=KEY, width=1024, height=1024))
    proc = subprocess.Popen(
        [sys.executable, "-c", _EDITOR, str(path), KEY], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    added: list[str] = []
    edited: set[str] = set()
    deadline = time.monotonic() + 60
    try:
        while len(edited) < 25 and time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                break
            what, fid = line.split()
            (added.append if what == "added" else edited.add)(fid)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()  # type: ignore[union-attr]
    assert len(edited) >= 25, "the editor did not get going"
    with ReviewStore.open(path, create=False) as s:
        assert s.integrity_check() == "ok"
        doc = ReviewDocument.open(s, KEY)
        ids = {f.id for f in doc.findings}
        assert set(added) <= ids
        for fid in edited:
            f = doc.finding(fid)
            assert f.note.startswith("note ") and f.box.y0 == 5.0 and f.edited
        # every stored state is explained by the audit log, edit by edit
        last_after = {c.finding_id: c.after for c in doc.corrections()}
        assert {fid for fid, a in last_after.items() if a is not None} == ids
        assert all(last_after[f.id] == f.to_json() for f in doc.findings)

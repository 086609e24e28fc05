"""A node that answers badly, files that cannot be sent, and a retrieve killed outright, played against a
scripted node on loopback (tests/pacs/scripted_scp.py): each ends in a result or one PacsError line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from mammoviewer.cli import main
from mammoviewer.pacs import find_studies, get_study, send_files

from orthanc_server import SMALL
from .scripted_scp import Script, scripted_node

ROOT = Path(__file__).resolve().parents[2]


def _answer(uid: str, count: str | None = "2", **values: str) -> Dataset:
    ds = Dataset()
    ds.QueryRetrieveLevel = "STUDY"
    ds.StudyInstanceUID, ds.PatientID, ds.StudyDate = uid, "P1", "20240101"
    if count is not None:  # written as text: pydicom will not hold an IS it cannot parse
        ds.add_new(0x00201208, "LO", count)
    for k, v in values.items():
        setattr(ds, k, v)
    return ds


def test_a_study_count_that_is_not_a_number_is_unknown(capsys):
    script = Script(answers=[_answer("1.2.3", "abc"), _answer("1.2.4", "2"), _answer("1.2.5", "-4"),
                             _answer("1.2.6", "9" * 30)])  # fmt: skip
    with scripted_node(script) as node:
        studies = find_studies(node)
        assert [(s.study_uid, s.images) for s in studies] == [("1.2.3", None), ("1.2.4", 2), ("1.2.5", None),
                                                              ("1.2.6", None)]  # fmt: skip
        assert main(["pacs", "find", "--host", "127.0.0.1", "--port", str(node.port), "--aet", node.called_aet]) == 0
    assert "   ? images  1.2.3" in capsys.readouterr().out


def _copy(tmp_path: Path, name: str, syntax: str | None = None) -> Path:
    ds = pydicom.dcmread(SMALL)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    path = tmp_path / "send" / name
    path.parent.mkdir(exist_ok=True)
    ds.save_as(path)
    if syntax is not None:  # the file meta's transfer syntax changed in place, bytes of the same length
        data = path.read_bytes()
        old = str(ds.file_meta.TransferSyntaxUID).encode()
        assert data.count(old) == 1 and len(syntax) <= len(old)
        path.write_bytes(data.replace(old, syntax.encode().ljust(len(old), b"\0")))
    return path


@pytest.mark.parametrize("syntax", ["1.2.3.4.5", "abc.def", ""])
def test_send_goes_on_past_a_file_with_a_bad_transfer_syntax(tmp_path, capsys, syntax):
    good1, bad, good2 = _copy(tmp_path, "a.dcm"), _copy(tmp_path, "b.dcm", syntax), _copy(tmp_path, "c.dcm")
    script = Script()
    with scripted_node(script) as node:
        result = send_files(node, [good1, bad, good2])
        assert result.sent == [good1, good2]
        assert len(result.failed) == 1 and result.failed[0].startswith(f"{bad}: "), result.failed
        code = main(["pacs", "send", str(tmp_path / "send"), "--host", "127.0.0.1", "--port", str(node.port),
                     "--aet", node.called_aet])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 3 and len(err) == 1 and str(bad) in err[0] and "internal error" not in err[0], err
    assert len(script.stored) == 4


_GET = """
import sys
sys.path[:0] = [sys.argv[1]]
from mammoviewer.pacs import get_study
from scripted_scp import node
get_study(node(int(sys.argv[2])), sys.argv[3], sys.argv[4])
"""


def _images(study: str, n: int) -> list[Dataset]:
    out = []
    for _ in range(n):
        ds = pydicom.dcmread(SMALL)
        ds.StudyInstanceUID = study
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        out.append(ds)
    return out


def test_the_next_retrieve_sweeps_what_a_killed_one_left(tmp_path):
    study, dest = "1.2.826.0.1.7", tmp_path / "worklist"
    script = Script(datasets=_images(study, 2), stall_s=30)
    with scripted_node(script) as node:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(Path(__file__).parent)]))
        child = subprocess.Popen([sys.executable, "-c", _GET, str(Path(__file__).parent), str(node.port), study,
                                  str(dest)], env=env, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not any(dest.glob(".retrieving-*/*.dcm")):
                assert time.monotonic() < deadline and child.poll() is None, "the retrieve never started"
                time.sleep(0.1)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
        left = list(dest.glob(".retrieving-*"))
        assert len(left) == 1
        script.stall_s = 0
        paths = get_study(node, study, dest)
    assert len(paths) == 2
    assert sorted(p.name for p in dest.iterdir()) == [study]  # nothing hidden left behind


def test_send_refuses_a_named_pipe_and_sends_the_rest(tmp_path):
    good, pipe = _copy(tmp_path, "a.dcm"), tmp_path / "send" / "pipe.dcm"
    os.mkfifo(pipe)
    import threading

    script, results = Script(), []
    with scripted_node(script) as node:
        sender = threading.Thread(target=lambda: results.append(send_files(node, [pipe, good])), daemon=True)
        sender.start()
        sender.join(timeout=60)
        assert not sender.is_alive(), "send waited on the named pipe"
    assert results[0].sent == [good] and results[0].failed == [f"{pipe}: not a regular file; cannot send it"]

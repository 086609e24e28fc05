"""The journal of a batch: durable appends, resume after a kill, files changed since, run.json."""

import json
import os

import pytest

from mammoviewer.batch.journal import KEYS, RESULTS, RUN, BatchError, Journal
from mammoviewer.batch.sources import FileKey

RUN_INFO = {"model": "idbll-light 1.2", "threshold": 0.2, "model_path": None}


def _films(tmp_path, n):
    keys = []
    for i in range(n):
        p = tmp_path / f"f{i}.pgm"
        p.write_bytes(b"P5 1 1 255 " + bytes([i]))
        keys.append(FileKey.of(p))
    return keys


def _entry(key, score=0.5):
    return {"path": key.path, "width": 1, "height": 1, "seconds": 0.01,
            "findings": [{"box": [0.0, 0.0, 1.0, 1.0], "label": "benign", "score": score}]}


def _lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_appended_entries_are_finished_on_reopening(tmp_path):
    films, out = _films(tmp_path, 3), tmp_path / "out"
    with Journal.open(out, RUN_INFO, films) as j:
        assert j.pending(films) == films
        j.append([(films[0], _entry(films[0])), (films[1], {"path": films[1].path, "error": "bad"})])
    assert _lines(out / RESULTS) == [_entry(films[0]), {"path": films[1].path, "error": "bad"}]
    assert json.loads((out / RUN).read_text()) == RUN_INFO
    with Journal.open(out, RUN_INFO, films) as j:
        assert j.pending(films) == [films[2]]
        assert j.finished[films[0].path] == (_entry(films[0]), films[0])


def test_a_torn_last_line_is_dropped_and_its_film_done_again(tmp_path):
    films, out = _films(tmp_path, 3), tmp_path / "out"
    with Journal.open(out, RUN_INFO, films) as j:
        j.append([(films[0], _entry(films[0]))])
        j.append([(films[1], _entry(films[1]))])
    with open(out / RESULTS, "ab") as fh:  # killed while writing the third line
        fh.write(json.dumps(_entry(films[2]))[:40].encode())
    with Journal.open(out, RUN_INFO, films) as j:
        assert j.pending(films) == [films[2]]
        j.append([(films[2], _entry(films[2], 0.7))])
    assert _lines(out / RESULTS) == [_entry(films[0]), _entry(films[1]), _entry(films[2], 0.7)]
    assert [k["path"] for k in _lines(out / KEYS)] == [f.path for f in films]


def test_a_results_line_without_its_key_is_done_again_not_twice(tmp_path):
    films, out = _films(tmp_path, 2), tmp_path / "out"
    with Journal.open(out, RUN_INFO, films) as j:
        j.append([(films[0], _entry(films[0]))])
    with open(out / RESULTS, "ab") as fh:  # killed after the results line, before its key
        fh.write((json.dumps(_entry(films[1])) + "\n").encode())
    with Journal.open(out, RUN_INFO, films) as j:
        assert j.pending(films) == [films[1]]
        j.append([(films[1], _entry(films[1]))])
    assert [e["path"] for e in _lines(out / RESULTS)] == [films[0].path, films[1].path]


def test_a_changed_file_loses_its_line_and_is_done_again(tmp_path):
    films, out = _films(tmp_path, 2), tmp_path / "out"
    with Journal.open(out, RUN_INFO, films) as j:
        j.append([(films[0], _entry(films[0])), (films[1], _entry(films[1]))])
    st = os.stat(films[0].path)
    os.utime(films[0].path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    now = [FileKey.of(f.path) for f in films]
    with Journal.open(out, RUN_INFO, now) as j:
        assert j.pending(now) == [now[0]]
    assert [e["path"] for e in _lines(out / RESULTS)] == [films[1].path]  # one line per input, always
    with Journal.open(out, RUN_INFO, films[1:]) as j:  # a run over other sources keeps their lines
        assert j.pending(now) == [now[0]]


@pytest.mark.parametrize("field, value", [("model", "idbll-light 9"), ("threshold", 0.3)])
def test_another_model_or_threshold_is_refused(tmp_path, field, value):
    Journal.open(tmp_path / "out", RUN_INFO).close()
    with pytest.raises(BatchError, match=f"holds results of {field}"):
        Journal.open(tmp_path / "out", {**RUN_INFO, field: value})


def test_an_output_folder_that_cannot_be_made_is_one_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(BatchError, match="cannot create the output folder"):
        Journal.open(tmp_path / "file" / "out", RUN_INFO)

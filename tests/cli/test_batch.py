"""``mammoviewer batch`` end to end: real processes on a real Dask cluster, the bundled model, kill -9."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mammoviewer.detect import default_model_path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
pytestmark = pytest.mark.skipif(not default_model_path().is_file(), reason="bundled model not present")


def _films(folder: Path, copies: int) -> list[Path]:
    folder.mkdir(parents=True)
    for i in range(copies):
        for p in sorted(SAMPLES.glob("*.pgm")):
            shutil.copy(p, folder / f"{p.stem}_{i}.pgm")
    return sorted(folder.iterdir())


def _lines(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]


def test_a_killed_run_resumes_with_no_line_lost_or_twice(dask_cluster, tmp_path):
    from mammoviewer.review import ReviewStore

    client, _ = dask_cluster
    films = _films(tmp_path / "films", copies=2)
    out, store = tmp_path / "out", tmp_path / "review.sqlite"
    cmd = [sys.executable, "-m", "mammoviewer", "batch", str(tmp_path / "films"), "--out", str(out),
           "--scheduler", client.scheduler.address, "--threshold", "0.15", "--store", str(store)]
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and first.poll() is None:
        if (out / "results.jsonl").is_file() and (out / "results.jsonl").read_bytes().count(b"\n") >= 2:
            break
        time.sleep(0.01)
    first.kill()  # SIGKILL: no clean-up at all
    first.wait()
    done_before = len(_lines(out))
    assert 2 <= done_before < len(films)
    with open(out / "results.jsonl", "ab") as fh:  # as if killed in the middle of writing a line
        fh.write(b'{"path": "' + str(films[-1]).encode())

    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    lines = _lines(out)
    assert sorted(x["path"] for x in lines) == [str(f) for f in films]  # each film once
    assert f"{len(films)} films:" in second.stdout and second.stderr == ""
    assert json.loads((out / "run.json").read_text())["threshold"] == 0.15
    with ReviewStore.open(store, create=False) as s:
        stored = {r.key for r in s.images()}
        pending = [f for f in s.findings() if f.status == "pending" and f.source == "model"]
    assert stored == {str(f) for f in films}
    assert len(pending) == sum(len(x["findings"]) for x in lines)

    st = os.stat(films[0])
    os.utime(films[0], ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # one file changed since
    unchanged = [x for x in lines if x["path"] != str(films[0])]
    third = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert third.returncode == 0, third.stderr
    assert f"1 detected now (0 failed), {len(films) - 1} done before" in third.stdout  # nothing else again
    again = _lines(out)
    assert again[:-1] == unchanged and again[-1]["path"] == str(films[0])  # still one line per film


def test_failed_films_are_lines_and_exit_2(dask_cluster, tmp_path, capsys):
    from mammoviewer.cli import main

    client, _ = dask_cluster
    films = _films(tmp_path / "films", copies=1)[:1]
    bad = tmp_path / "films" / "truncated.pgm"
    bad.write_bytes(b"P5\n1024 1024\n255\n" + b"\x00" * 100)
    out = tmp_path / "out"
    code = main(["batch", str(films[0]), str(bad), "--out", str(out), "--scheduler", client.scheduler.address])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"mammoviewer: error: {bad}")
    by_path = {x["path"]: x for x in _lines(out)}
    assert set(by_path[str(bad)]) == {"path", "error"} and "findings" in by_path[str(films[0])]
    from mammoviewer.detect.run import model_identity

    assert json.loads((out / "run.json").read_text())["threshold"] == model_identity().default_threshold


def test_a_folder_of_another_run_is_refused_before_any_work(tmp_path, capsys):
    from mammoviewer.cli import main
    from mammoviewer.detect.run import model_identity

    bundled = model_identity()
    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"model": f"{bundled.name} {bundled.version}", "threshold": 0.3}))
    assert main(["batch", str(SAMPLES / "mdb001.pgm"), "--out", str(out), "--threshold", "0.2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds results of threshold 0.3, not 0.2" in err[0]


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys):
    import dask

    from mammoviewer.cli import main

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["batch", str(SAMPLES / "mdb001.pgm"), "--out", str(tmp_path / "out"),
                     "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("mammoviewer: error: tcp://127.0.0.1:9: cannot reach")


@pytest.mark.parametrize("argv, message", [
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "not allowed with argument"),
    (["--workers", "0"], "'0' is not a positive whole number"),
    (["--films-per-task", "x"], "'x' is not a number"),
])
def test_bad_arguments_are_refused(argv, message, tmp_path, capsys):
    from mammoviewer.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["batch", str(SAMPLES), "--out", str(tmp_path / "out"), *argv])
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_a_missing_source_is_one_line(tmp_path, capsys):
    from mammoviewer.cli import main

    assert main(["batch", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"mammoviewer: error: {tmp_path / 'nowhere'}: no such file or folder"]

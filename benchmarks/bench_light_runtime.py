"""Inference without TensorFlow: ONNX Runtime (the models' ``model.onnx`` twins) against TensorFlow
(``MAMMOVIEWER_RUNTIME=tensorflow``: the ``.keras`` files, as before), each in fresh processes:

- ``mammoviewer detect FILM --json`` as a whole process, and inside one process the import of the
  detection package, ``Detector.load`` and the first film (targets: whole <= 1.5 s, load <= 0.3 s);
- a Dask batch worker's resident memory after detecting films (target <= 250 MB);
- the viewer from launch to the first film shown, and to its boxes drawn (target <= 1.5 s).

Each figure is the median of ``--repeats`` runs, the two runtimes alternated so both see the same
background load; the ratio is TensorFlow's figure over ONNX Runtime's.

Usage: ``python benchmarks/bench_light_runtime.py [--repeats N] [--film PATH] [--skip viewer,batch]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIMES = {"onnx": "ONNX Runtime", "tensorflow": "TensorFlow"}

IN_PROCESS = r"""
import json, sys, time
t0 = time.perf_counter()
from mammoviewer.detect import Detector
from mammoviewer.io import load_image
t1 = time.perf_counter()
det = Detector.load(device="cpu")
t2 = time.perf_counter()
det.detect(load_image(sys.argv[1]), threshold=det.default_threshold)
t3 = time.perf_counter()
rss = int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "film": t3 - t2, "rss": rss, "runtime": det.runtime,
                  "tensorflow": "tensorflow" in sys.modules}))
"""

WORKER = r"""
import json, logging, sys
logging.getLogger("distributed").setLevel(logging.CRITICAL)
from mammoviewer.batch import open_cluster, register_detector
from mammoviewer.batch.worker import detect_films

def usage():
    import psutil
    return psutil.Process().memory_info().rss / 2**20

if __name__ == "__main__":
    films = sys.argv[1:]
    with open_cluster(workers=1) as (client, threads):
        plugin = register_detector(client, None, "cpu", threads)
        for film in films:
            client.submit(detect_films, plugin, [film], 0.3, pure=False).result()
        print(json.dumps({"rss": max(client.run(usage).values())}))
"""

VIEWER = r"""
import json, os, sys, time
import psutil
os.environ["QT_QPA_PLATFORM"] = "offscreen"
start = psutil.Process().create_time()
import mammoviewer.gui.app as app
seen = {}
original = app.wait_for_findings

def timed(controller, timeout_s=180.0):
    controller.findingsShown.connect(lambda key: seen.setdefault("boxes", time.time() - start))
    error = original(controller, timeout_s)
    seen.setdefault("boxes", time.time() - start)
    seen["error"] = error
    return error

app.wait_for_findings = timed
original_attach = app.attach_review

def attach(window, *args, **kwargs):
    window.imageLoaded.connect(lambda image: seen.setdefault("film", time.time() - start))
    return original_attach(window, *args, **kwargs)

app.attach_review = attach
app.run_viewer([sys.argv[1]], screenshot=sys.argv[2], store=sys.argv[3])
print(json.dumps(seen))
"""


def _env(runtime: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MAMMOVIEWER_RUNTIME", None)
    if runtime == "tensorflow":
        env["MAMMOVIEWER_RUNTIME"] = "tensorflow"
    return env


def _json(args: list[str], runtime: str, timeout: float = 300) -> dict:
    out = subprocess.run(args, capture_output=True, text=True, env=_env(runtime), cwd=ROOT, timeout=timeout)
    if out.returncode != 0:
        raise SystemExit(f"bench_light_runtime: {' '.join(args[:3])} failed: {out.stderr[-800:]}")
    return json.loads([line for line in out.stdout.splitlines() if line.startswith("{")][-1])


def whole_detect(film: str, runtime: str) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "mammoviewer", "detect", film, "--json", "--device", "cpu"],
                         capture_output=True, text=True, env=_env(runtime), cwd=ROOT, timeout=300)
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"bench_light_runtime: detect failed: {out.stderr[-800:]}")
    doc = json.loads(out.stdout)
    return {"whole": seconds, "findings": doc["images"][0]["findings"]}


def measure(film: str, runtime: str, parts: set[str], scratch: Path, i: int) -> dict:
    row = whole_detect(film, runtime)
    row.update(_json([sys.executable, "-c", IN_PROCESS, film], runtime))
    if "batch" in parts:
        films = [film] + [str(p) for p in sorted(Path(film).parent.glob("mdb0[0-1]*.png"))[:3]]
        script = scratch / "worker_bench.py"
        script.write_text(WORKER)
        row["worker_rss"] = _json([sys.executable, str(script), *films], runtime)["rss"]
    if "viewer" in parts:
        seen = _json([sys.executable, "-c", VIEWER, film, str(scratch / f"shot-{runtime}-{i}.png"),
                      str(scratch / f"store-{runtime}-{i}.sqlite")], runtime)
        if seen.get("error"):
            raise SystemExit(f"bench_light_runtime: viewer: {seen['error']}")
        row["viewer_boxes"], row["viewer_film"] = seen["boxes"], seen.get("film", float("nan"))
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--film", default=None, help="a film (default: mdb023 from the shared MIAS or the samples)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: batch, viewer")
    args = parser.parse_args()
    candidates = [args.film] if args.film else [ROOT / ".." / "shared" / "data" / "mias" / "mdb023.png",
                                                ROOT / "resources" / "samples" / "mdb023.pgm"]
    film = next((str(Path(c).resolve()) for c in candidates if c and Path(c).is_file()), None)
    if film is None:
        print("bench_light_runtime: no film found; pass --film PATH", file=sys.stderr)
        return 2
    parts = {"batch", "viewer"} - set(filter(None, args.skip.split(",")))
    print(f"film {film}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start "
          f"(the machine is shared: figures vary run to run); {args.repeats} runs each, alternated")
    rows: dict[str, list[dict]] = {r: [] for r in RUNTIMES}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            for runtime in RUNTIMES:
                rows[runtime].append(measure(film, runtime, parts, Path(tmp), i))
    a, b = rows["onnx"][0]["findings"], rows["tensorflow"][0]["findings"]
    same = len(a) == len(b) and all(
        x["label"] == y["label"] and abs(x["score"] - y["score"]) <= 1e-4
        and max(abs(u - v) for u, v in zip(x["box"], y["box"])) <= 0.5 for x, y in zip(a, b))
    figures = [("detect, whole process", "whole", "s", 1.5), ("  import of the detection package", "import", "s", None),
               ("  model load (Detector.load)", "load", "s", 0.3), ("  first film", "film", "s", None),
               ("  resident memory after one film", "rss", "MB", None)]
    if "batch" in parts:
        figures.append(("batch worker resident memory", "worker_rss", "MB", 250))
    if "viewer" in parts:
        figures.append(("viewer: launch to the film shown", "viewer_film", "s", None))
        figures.append(("viewer: launch to first boxes", "viewer_boxes", "s", 1.5))
    print(f"{'':34} {'ONNX Runtime':>13} {'TensorFlow':>11} {'ratio':>6}  target")
    for label, key, unit, target in figures:
        a, b = (statistics.median(r[key] for r in rows[k]) for k in RUNTIMES)
        verdict = "" if target is None else f"<= {target:g} {unit}: {'met' if a <= target else 'NOT met'}"
        print(f"{label:34} {a:>10.2f} {unit:<2} {b:>8.2f} {unit:<2} {b / a:>5.1f}x  {verdict}")
    print(f"runtimes: {rows['onnx'][0]['runtime']} (TensorFlow imported: {rows['onnx'][0]['tensorflow']}) and "
          f"{rows['tensorflow'][0]['runtime']}; detect --json findings the same (boxes within 0.5 px, scores within 1e-4): {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Case score speed on this machine: one film scored alone, and with the other breast's film found
beside it (its load and one more detector run), with the bundled classifier and detector.

Usage: ``python benchmarks/bench_classify.py [--repeats N] [--folder DIR]`` (DIR holds mdb023 and
mdb024 as PGM or PNG; default: the shared MIAS copy).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timing import median_seconds  # noqa: E402 (benchmarks/timing.py, beside this script)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--folder", default=str(ROOT.parent / "shared" / "data" / "mias"))
    args = parser.parse_args()
    folder = Path(args.folder)
    film = next((folder / f"mdb023{s}" for s in (".pgm", ".png") if (folder / f"mdb023{s}").is_file()), None)
    if film is None:
        print(f"{folder}: no mdb023.pgm or mdb023.png here", file=sys.stderr)
        return 2

    from mammoviewer.classify.case_score import case_probabilities, other_breast
    from mammoviewer.classify.classifier import CaseClassifier
    from mammoviewer.detect import Detector
    from mammoviewer.io import load_image

    clf, det = CaseClassifier.load(None), Detector.load(None, device="cpu")
    if other_breast(det, load_image(film)) is None:
        print(f"{folder}: the other breast's film (mdb024) is not beside {film.name}", file=sys.stderr)
        return 2

    def alone() -> None:
        image = load_image(film)
        case_probabilities(clf, det, image, clf.predict(image))

    def paired() -> None:
        image = load_image(film)
        case_probabilities(clf, det, image, clf.predict(image), other=other_breast(det, image))

    a, p = 1000 * median_seconds(alone, args.repeats), 1000 * median_seconds(paired, args.repeats)
    print(f"case score of {film.name}, film alone (load, classifier, detector): {a:.1f} ms")
    print(f"case score with the other breast (+ its load and detector run):   {p:.1f} ms  ({p / a:.2f}x)")
    print(f"machine: {os.cpu_count()} CPU cores; no cache between repeats")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

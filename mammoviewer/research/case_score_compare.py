"""Case scores from the lesion detector (its top finding score), compared with the classifier.

    python -m mammoviewer.research.case_score_compare CV_JSON [--detector M] [--out compare.json]

Only films of patients the detector did not train on are used: the detector card's
``fold_held_out`` names that fold of the shared split; a detector trained on every patient
(``fold_held_out`` null) cannot be compared on the shared films, and the result says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mammoviewer.classify import data as cdata
from mammoviewer.classify.metrics import auc
from mammoviewer.io.mias import DEFAULT_MIAS_DIR

ROOT = Path(__file__).resolve().parents[2]


def detector_case_scores(detector, paths: list[str]) -> np.ndarray:
    """``[N, 2]``: (top score of any finding, top score of a malignant finding); 0 when none."""
    from mammoviewer.io import load_image

    out = []
    for path in paths:
        found = detector.detect(load_image(path), threshold=0.0)
        top = max((d.score for d in found), default=0.0)
        mal = max((d.score for d in found if d.label == "malignant"), default=0.0)
        out.append((float(top), float(mal)))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def _ranks(v: np.ndarray) -> np.ndarray:
    """Average ranks in [0, 1] (ties share a rank)."""
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    r[order] = np.arange(len(v))
    for value in np.unique(v):
        tie = v == value
        r[tie] = r[tie].mean()
    return r / max(len(v) - 1, 1)


def held_out_fold(card: dict) -> tuple[int | None, set[int] | None]:
    """(fold the detector held out, patients it trained on) from its card (top level or ``training``)."""
    training = card.get("training") if isinstance(card.get("training"), dict) else {}
    fold = card.get("fold_held_out", training.get("fold_held_out"))
    patients = card.get("train_patients", training.get("train_patients"))
    return (None if fold is None else int(fold)), (None if patients is None else set(map(int, patients)))


def compare(cv: dict, detector_path: str | None, images_dir: str, info: str, reuse: dict | None = None) -> dict:
    """AUCs of classifier, detector top score and their rank average on the detector's held-out fold.

    ``reuse``: an earlier result whose ``detector_scores`` (per film) are taken instead of running it.
    """
    from mammoviewer.detect import Detector

    det = Detector.load(detector_path)
    fold, trained = held_out_fold(getattr(det, "card", None) or {})
    if fold is None:
        return {"deferred": "the detector was trained on every shared patient (no held-out fold): "
                            "no shared film is unseen by it"}
    split = cdata.load_split(cv["split"])
    refs = set(split["folds"][fold]["films"])
    films = [f for f in cdata.case_films(images_dir, info) if f.ref in refs]
    if trained is not None:
        films = [f for f in films if f.patient not in trained]
    y = np.array([f.label_index for f in films])
    clf = np.array([cv["out_of_fold_probabilities"]["films"][f.ref] for f in films])
    if reuse and all(f.ref in reuse.get("detector_scores", {}) for f in films):
        det_scores = np.array([reuse["detector_scores"][f.ref] for f in films])
    else:
        det_scores = detector_case_scores(det, [f.path for f in films])
    clf_ab, clf_mal = 1.0 - clf[:, 0], clf[:, 2]
    both_ab = (_ranks(clf_ab) + _ranks(det_scores[:, 0])) / 2
    both_mal = (_ranks(clf_mal) + _ranks(det_scores[:, 1])) / 2
    return {
        "detector": {"name": det.name, "version": det.version, "fold_held_out": fold},
        "fold": int(fold),
        "films": len(films),
        "films_per_class": {c: int((y == i).sum()) for i, c in enumerate(("normal", "benign", "malignant"))},
        "classifier": {"auc_normal_vs_abnormal": auc(y > 0, clf_ab), "auc_malignant_vs_rest": auc(y == 2, clf_mal)},
        "detector_top_score": {"auc_normal_vs_abnormal": auc(y > 0, det_scores[:, 0]),
                               "auc_malignant_vs_rest": auc(y == 2, det_scores[:, 1])},
        "rank_average": {"auc_normal_vs_abnormal": auc(y > 0, both_ab), "auc_malignant_vs_rest": auc(y == 2, both_mal)},
        "detector_scores": {f.ref: [float(a), float(b)] for f, (a, b) in zip(films, det_scores)},
    }


SCORES = ("classifier", "detector_top_score", "rank_average")
METRICS = ("auc_normal_vs_abnormal", "auc_malignant_vs_rest")


def summarise_folds(results: list[dict]) -> dict:
    """Mean ± sd over the compared folds of each score's AUCs (folds a detector could not serve are skipped)."""
    done = [r for r in results if "deferred" not in r]
    out: dict = {"folds": [r.get("fold") for r in done], "films": sum(r["films"] for r in done)}
    for key in SCORES:
        out[key] = {}
        for m in METRICS:
            v = np.array([r[key][m] for r in done], dtype=np.float64)
            out[key][m] = {"mean": float(v.mean()) if v.size else float("nan"),
                           "sd": float(v.std(ddof=1)) if v.size > 1 else 0.0}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.case_score_compare")
    ap.add_argument("cv")
    ap.add_argument("--detector", action="append", default=None,
                    help="detector model (repeat for several fold models; default: the bundled one)")
    ap.add_argument("--images", default=str(DEFAULT_MIAS_DIR))
    ap.add_argument("--out", default=None)
    ap.add_argument("--reuse", default=None, help="earlier compare.json whose detector scores to reuse")
    a = ap.parse_args(argv)
    reuse = json.loads(Path(a.reuse).read_text()) if a.reuse else None
    cv = json.loads(Path(a.cv).read_text())
    info = str(Path(a.images) / "Info.txt")
    reused = {ref: s for r in (reuse or {}).get("per_fold", [reuse] if reuse else []) for ref, s in
              r.get("detector_scores", {}).items()}
    per_fold = [compare(cv, d, a.images, info, {"detector_scores": reused}) for d in (a.detector or [None])]
    res = {"per_fold": per_fold, "summary": summarise_folds(per_fold)}
    text = json.dumps(res, indent=1)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fit the exam score's decile edges (``classify.exam_score``) on out-of-fold case scores of normal exams.

Every mini-MIAS film's candidates come from the detector fold model that never saw its patient
(``detector_fold_figures --out`` of all five folds, read by ``research.oof_candidates``). Each exam
(a patient's two MLO films) gets the shipped exam case score: the higher p(abnormal) of its two
films, each by the card's contralateral rule against the other film. The deciles of that score over
the exams whose two films are both normal (Info.txt) are the edges; the card's rules were fitted on
these same out-of-fold scores, and a monotone rule does not move ranks, so the deciles are those of
the out-of-fold detector feature itself::

    python -m mammoviewer.research.exam_score_fit --figures F0.json ... F4.json \\
        [--split models/idbll-light/split.json] [--images DIR] --out exam_score.json \\
        [--card models/case-classifier/card.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from mammoviewer.classify import data as cdata
from mammoviewer.classify.combined import CARD_KEY, CombinedRule
from mammoviewer.classify.exam_score import EXAM_KEY, ExamScale, FilmScores, decile_edges, exam_p_abnormal

CARD = Path(__file__).resolve().parents[2] / "models" / "case-classifier" / "card.json"


def exam_scores(candidates: dict[str, list], labels: dict[str, str], patient_of: dict[str, int],
                single: CombinedRule, paired: CombinedRule | None) -> dict[int, tuple[float, bool]]:
    """``{patient: (exam case score, all films normal)}`` from each film's out-of-fold candidates."""
    films: dict[int, list[str]] = defaultdict(list)
    for ref in candidates:
        if ref in patient_of:
            films[patient_of[ref]].append(ref)
    out = {}
    for patient, refs in films.items():
        exam = [FilmScores("R" if int(ref[3:]) % 2 else "L", "MLO", tuple(float(c[2]) for c in candidates[ref]))
                for ref in sorted(refs)]  # fmt: skip
        out[patient] = (exam_p_abnormal(exam, single, paired), all(labels[r] == "normal" for r in refs))
    return out


def summary(scores: dict[int, tuple[float, bool]], scale: ExamScale) -> dict:
    """How normal and abnormal exams spread over the scores 1-10 (counts)."""
    spread = {"normal": [0] * 10, "abnormal": [0] * 10}
    for p, normal in scores.values():
        spread["normal" if normal else "abnormal"][scale.score(p) - 1] += 1
    return spread


def main(argv: list[str] | None = None) -> int:
    from mammoviewer.research import oof_candidates as oof

    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.exam_score_fit", description=__doc__.split("\n")[0])
    oof.add_arguments(ap)
    ap.add_argument("--out", required=True, help="where to write the edges and spread (JSON)")
    ap.add_argument("--card", default=None, help="write the edges into this case classifier card.json")
    args = ap.parse_args(argv)
    _split, films, cands, _fold_of = oof.read(ap, args)
    card = json.loads((Path(args.card) if args.card else CARD).read_text())
    single, paired = CombinedRule.from_card(card), CombinedRule.paired_from_card(card)
    if single is None:
        ap.error("the card has no case score rule to put the exams on")
    cases = {f.ref: f for f in cdata.case_films(args.images, Path(args.images) / "Info.txt", ids=sorted(films))}
    scores = exam_scores({r: c for r, c in cands.items() if r in cases}, {r: f.label for r, f in cases.items()},
                         {r: f.patient for r, f in cases.items()}, single, paired)  # fmt: skip
    normal = [p for p, is_normal in scores.values() if is_normal]
    scale = ExamScale(decile_edges(normal))
    block = {"edges": list(scale.edges), "normal_exams": len(normal), "exams": len(scores),
             "how": "deciles (numpy linear interpolation) of the exam case score (the higher p(abnormal) of a "
                    "patient's two films, each with the contralateral rule) over the mini-MIAS exams whose films are "
                    "both normal; every film scored by the detector fold model that never saw its patient",
             "figures": [str(p) for p in args.figures], "spread": summary(scores, scale)}  # fmt: skip
    Path(args.out).write_text(json.dumps(block, indent=1))
    print(f"{len(normal)} normal exams of {len(scores)}: edges " + ", ".join(f"{e:.3f}" for e in scale.edges))
    print("abnormal exams per score 1-10:", block["spread"]["abnormal"])
    if args.card:
        card.setdefault(CARD_KEY, {})[EXAM_KEY] = block
        Path(args.card).write_text(json.dumps(card, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

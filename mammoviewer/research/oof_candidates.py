"""The out-of-fold candidate lists that the candidate and case-score experiments start from.

``detector_fold_figures --out`` writes each fold's findings at threshold 0 from the fold model that
never saw the fold's patients. Here they are read back per film, checked against the split (every
film of the split present, each under its own fold) and handed over with the MIAS films.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable

#: film ref -> candidates ``(box, label, score)``; film ref -> the fold whose model scored it
Loaded = tuple[dict[str, list], dict[str, int]]


def load_inside(figure_files: list[Path]) -> Loaded:
    """Each film's candidates inside the breast mask, best first, and the fold that scored each film."""
    by_film: dict[str, list] = {}
    fold_of: dict[str, int] = {}
    for path in figure_files:
        doc = json.loads(Path(path).read_text())
        for key, fold in doc.items():
            inside = fold.get("inside_breast") or [True] * len(fold["predictions"])
            for (ref, box, label, score), keep in zip(fold["predictions"], inside):
                fold_of[ref] = int(key)
                by_film.setdefault(ref, [])
                if keep:
                    by_film[ref].append((tuple(box), label, float(score)))
    return {r: sorted(v, key=lambda p: -p[2]) for r, v in by_film.items()}, fold_of


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """``--figures``, ``--split`` and ``--images``."""
    from mammoviewer.io.mias import DEFAULT_MIAS_DIR

    ap.add_argument("--figures", nargs="+", required=True, help="detector_fold_figures outputs covering every fold")
    ap.add_argument("--split", default="models/idbll-light/split.json")
    ap.add_argument("--images", default=str(DEFAULT_MIAS_DIR))


def read(ap: argparse.ArgumentParser, args: argparse.Namespace,
         load: Callable[[list[Path]], Loaded] = load_inside) -> tuple[dict, dict, dict[str, list], dict[str, int]]:
    """(split, film ref -> MIAS film, film ref -> candidates, film ref -> its fold in the split); an
    ``ap.error`` when the figures miss a film of the split or scored it as another fold."""
    from mammoviewer.detect.data import mias_films

    split = json.loads(Path(args.split).read_text())
    films = {f.ref: f for f in mias_films(args.images, Path(args.images) / "Info.txt")}
    cands, scored_in = load([Path(p) for p in args.figures])
    fold_of = {ref: k for k, fold in enumerate(split["folds"]) for ref in fold["films"] if ref in films}
    missing = sorted(set(fold_of) - set(cands))
    if missing:
        ap.error(f"no candidates for {len(missing)} films (e.g. {missing[0]}): give figures of every fold")
    moved = sorted(r for r in fold_of if scored_in[r] != fold_of[r])
    if moved:
        ap.error(f"{len(moved)} films (e.g. {moved[0]}) were scored as another fold than the split's: wrong split?")
    return split, films, cands, fold_of

"""Exam scores of studies from a review store: the detector findings stored on each study's films.

A film counts when the detector has run on it (the store's model runs); its candidate scores are
the model findings as the model gave them (``original_score``), whatever the reader decided since,
so the exam score stays the model's opinion. The store keeps only candidates at or above the
detection floor (the window stores down to ``STORE_FLOOR``), so the top-3 sum may miss weaker
candidates that the cross-validated case score counted: on a film with fewer strong candidates the
score can read a little lower than the same exam scored fresh.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from mammoviewer.classify.classifier import DEFAULT_MODEL_DIR
from mammoviewer.classify.combined import CombinedRule
from mammoviewer.classify.exam_score import ExamScale, FilmScores, exam_p_abnormal
from mammoviewer.errors import DetectorError, StoreError
from mammoviewer.review.keys import image_key
from mammoviewer.review.store import ReviewStore
from mammoviewer.studies.grouping import Study


def load_case_card(path: str | Path | None = None) -> dict[str, Any]:
    """The case classifier's card (the bundled one by default); DetectorError when unreadable."""
    card = Path(path) if path is not None else DEFAULT_MODEL_DIR / "card.json"
    try:
        return json.loads(card.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, ValueError) as exc:
        raise DetectorError(f"{card}: cannot read the case classifier card ({exc})") from exc


def film_scores(store: ReviewStore, study: Study) -> list[FilmScores]:
    """The study's films the detector has run on, with their stored candidate scores."""
    out = []
    for film in study.films:
        key = image_key(film.path)
        try:
            if not store.model_runs(key):
                continue
            found = store.findings(key)
        except StoreError:
            continue
        scores = tuple(f.original_score if f.original_score is not None else f.score for f in found
                       if f.source == "model" and (f.score is not None or f.original_score is not None))  # fmt: skip
        out.append(FilmScores(film.laterality, film.view, scores))  # type: ignore[arg-type]
    return out


def exam_scores(studies: Sequence[Study], store: ReviewStore, card: Mapping[str, Any]) -> list[int | None]:
    """Each study's exam score 1-10; None where no film was run through the detector, or the card has
    no exam scale (``research.exam_score_fit`` writes it)."""
    scale = ExamScale.from_card(card)
    single, paired = CombinedRule.from_card(card), CombinedRule.paired_from_card(card)
    if scale is None or single is None:
        return [None] * len(studies)
    out: list[int | None] = []
    for study in studies:
        films = film_scores(store, study)
        out.append(scale.score(exam_p_abnormal(films, single, paired)) if films else None)
    return out

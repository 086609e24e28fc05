"""Which reference films the retraining compares the current and the new model on, and whether that is fair.

The fair check scores both models on films of patients **neither** model trained on. The current model's
card lists the patients it was trained on (``training.train_patients``, as ``evaluate`` reads them to count
``films_of_training_patients``); the fine-tuning never trains on the films chosen here, so films of the
other patients are unseen by both. Where no such film exists (a model trained on every patient of the
reference data) or the card does not say, the check falls back to a fold of the split and says plainly
that it is biased, and by what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mammoviewer.detect import data as md
from mammoviewer.io import mias


@dataclass(frozen=True, slots=True)
class Comparison:
    """The reference films of the before/after check and what may bias it (None: nothing does)."""

    refs: frozenset[str]
    description: str
    bias: str | None = None


def train_patients(card: dict) -> set[int] | None:
    """The MIAS patients a model was trained on, from its card; None when the card does not say."""
    listed = card.get("training", {}).get("train_patients")
    return None if listed is None else {int(p) for p in listed}


def patient_or_none(ref: str) -> int | None:
    """The MIAS patient of a film ref, or None for a film that is not a MIAS film."""
    try:
        return mias.patient_of(ref)
    except ValueError:  # not a MIAS film
        return None


def _patients(refs: Iterable[str]) -> set[int]:
    return {p for r in refs if (p := patient_or_none(r)) is not None}


def _describe(refs: set[str], what: str) -> str:
    return f"{len(refs)} films of {len(_patients(refs))} patients {what}"


def _bias(card: dict, refs: set[str], seen: set[int] | None) -> str | None:
    name = f"{card.get('name', 'the current model')} {card.get('version', '')}".strip()
    if seen is None:
        return (f"the card of {name} does not say which patients it was trained on, so it may have seen these "
                "films; the check may favour the current model")
    own = sum(patient_or_none(r) in seen for r in refs)
    if own:
        return (f"{name} was trained on the patients of {own} of these {len(refs)} films, so it has seen them "
                "and the check favours it over the new model")
    return None


def comparison_films(card: dict, split: dict | None, available: Iterable[str], holdout: list[str] | None = None,
                     holdout_fold: int | None = None) -> Comparison:  # fmt: skip
    """The films (refs among ``available``) to score both models on; see the module docstring.

    ``holdout`` names them outright (their bias is still told); else films of patients the current model's
    card does not list; else the card's own held-out fold (``holdout_fold`` or 0 when it has none).
    """
    available = set(available)
    seen = train_patients(card)
    if holdout is not None:
        refs = set(holdout) & available
        return Comparison(frozenset(refs), _describe(refs, "chosen for the check"), _bias(card, refs, seen))
    if seen is not None:
        unseen = {r for r in available if patient_or_none(r) is not None and patient_or_none(r) not in seen}
        if unseen:
            return Comparison(frozenset(unseen), _describe(unseen, "neither model trained on"))
    fold = holdout_fold if holdout_fold is not None else card.get("training", {}).get("fold_held_out")
    if split is None:
        return Comparison(frozenset(), "no films: the model has no split file to hold films out by",
                          "no fair check is possible")  # fmt: skip
    refs = md.fold_refs(split, 0 if fold is None else int(fold))[1] & available
    bias = None if (fold is not None and seen is None and holdout_fold is None) else _bias(card, refs, seen)
    return Comparison(frozenset(refs), _describe(refs, f"of fold {0 if fold is None else int(fold)}"), bias)

"""The shipped case score of one film, as ``mammoviewer classify``, ``evaluate`` and the viewer give it.

The classifier's probabilities, combined with the detector's findings on the film and, when the
patient's other breast is found beside it (``mammoviewer.io.pairing``) and the card has the rule,
with the findings on that film too (``mammoviewer.classify.combined``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, MutableMapping

from mammoviewer.io.image import Image
from mammoviewer.studies.pairing import contralateral_path

#: detector scores already computed, by resolved file path (shared across films of one run)
ScoreCache = MutableMapping[str, list[float]]


@dataclass(frozen=True)
class OtherBreast:
    """The other breast's film and every candidate score of the detector on it."""

    path: Path
    scores: list[float]


def film_scores(detector: Any, image: Image, cache: ScoreCache | None = None) -> list[float]:
    """Every candidate score of ``detector`` on ``image`` (threshold 0), cached by file path."""
    key = str(Path(image.path).resolve())
    if cache is not None and key in cache:
        return cache[key]
    scores = [d.score for d in detector.detect(image, threshold=0.0)]
    if cache is not None:
        cache[key] = scores
    return scores


def other_breast(detector: Any, image: Image, cache: ScoreCache | None = None) -> OtherBreast | None:
    """The other breast's film and scores, or None when none is found beside ``image``.

    Raises ``ImageReadError`` when the other film is there but unreadable.
    """
    from mammoviewer.io import load_image

    path = contralateral_path(image)
    if path is None:
        return None
    key = str(path.resolve())
    if cache is not None and key in cache:
        return OtherBreast(path, cache[key])
    other = load_image(path)
    if other.laterality and image.laterality and other.laterality.upper() == image.laterality.upper():
        return None  # named like a pair, but the same side
    return OtherBreast(path, film_scores(detector, other, cache))


def case_probabilities(classifier: Any, detector: Any, image: Image, probabilities: dict[str, float],
                       cache: ScoreCache | None = None,
                       other: OtherBreast | None = None) -> tuple[dict[str, float], Any]:
    """(case probabilities, the rule used) for ``image`` from the classifier's own ``probabilities``;
    ``other`` is the other breast (see :func:`other_breast`), None to score the film alone.
    Without a combined rule in the card the classifier's probabilities are returned with None."""
    rule = classifier.case_rule(other is not None)
    if rule is None:
        return dict(probabilities), None
    scores = film_scores(detector, image, cache)
    return rule.probabilities(scores, probabilities, other.scores if rule.contralateral and other else None), rule

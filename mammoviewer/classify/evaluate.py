"""Case-level evaluation of the classifier on MIAS films (called by ``mammoviewer evaluate``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mammoviewer.classify import data as cdata
from mammoviewer.classify.metrics import CLASSES, case_scores, roc_curve, summarise


def evaluate_classifier(
    images_dir: str | Path,
    info_path: str | Path,
    ids: list[str] | None = None,
    model=None,
    plots_dir: str | Path | None = None,
    detector=None,
    detector_scores: dict[str, list[float]] | None = None,
) -> dict:
    """Score every film (or ``ids``) of ``info_path`` found in ``images_dir``; JSON-ready figures.

    ``model`` is a ``CaseClassifier``, a model path, or None for the bundled model. With
    ``plots_dir``, ``classifier_roc_normal_vs_abnormal.png`` and ``classifier_roc_malignant_vs_rest.png``
    are written there. The result warns when some films were in the model's training set.
    With a ``detector`` and a classifier whose card has the combined rule, the figures are those
    of the shipped case score (``mammoviewer.classify.combined``), as ``mammoviewer classify`` gives;
    ``detector_scores`` (film ref -> every candidate's score) reuses detections already made. A film
    whose other breast is among the images is scored with the contralateral rule when the card has it.
    """
    from mammoviewer.classify.classifier import CaseClassifier
    from mammoviewer.classify.preprocess import prepare
    from mammoviewer.io import load_image

    clf = model if isinstance(model, CaseClassifier) else CaseClassifier.load(model)
    films = cdata.case_films(images_dir, info_path, ids)
    x = np.stack([prepare(load_image(f.path), clf.pixel_mm, clf.size).pixels for f in films])
    p = clf.predict_array(x)
    threshold, case_score = clf.threshold, "classifier"
    rules_used: dict[str, int] = {}
    if clf.combined is not None and detector is not None:
        from mammoviewer.classify.case_score import case_probabilities, other_breast

        known = detector_scores or {}
        cache = {str(Path(f.path).resolve()): list(known[f.ref]) for f in films if f.ref in known}
        rows, thresholds = [], []
        for f, pi in zip(films, p):
            image = load_image(f.path)
            other = other_breast(detector, image, cache) if clf.paired is not None else None
            probs, rule = case_probabilities(clf, detector, image, dict(zip(CLASSES, pi)), cache, other)
            rows.append([probs[c] for c in CLASSES])
            thresholds.append(rule.threshold)
            kind = "with the other breast" if rule.contralateral else "single film"
            rules_used[kind] = rules_used.get(kind, 0) + 1
        p, threshold = np.array(rows), np.array(thresholds)
        case_score = f"combined with {detector.name} {detector.version}"
    y = np.array([f.label_index for f in films])
    out = {
        "model": {"name": clf.name, "version": clf.version, "path": clf.path, "case_score": case_score,
                  **({"films_by_rule": rules_used} if rules_used else {})},
        **summarise(y, p, threshold),
        "films_per_class": {c: int((y == i).sum()) for i, c in enumerate(CLASSES)},
        "probabilities": {f.ref: dict(zip(CLASSES, map(float, pi))) for f, pi in zip(films, p)},
    }
    seen = set(clf.card.get("trained_on_refs", []))
    overlap = sorted(f.ref for f in films if f.ref in seen)
    if overlap:
        out["warning"] = f"{len(overlap)} of {len(films)} films were used to train this model; figures are optimistic"
    if plots_dir is not None:
        out["plots"] = _plots(Path(plots_dir), y, p)
    return out


def _plots(folder: Path, y: np.ndarray, p: np.ndarray) -> list[str]:
    from mammoviewer.classify.plots import save_roc
    from mammoviewer.classify.metrics import auc

    abnormal, malignant = case_scores(p)
    written = []
    for name, pos, score, title in (
        ("normal_vs_abnormal", y > 0, abnormal, "Case classifier: abnormal vs normal"),
        ("malignant_vs_rest", y == 2, malignant, "Case classifier: malignant vs rest"),
    ):
        if pos.any() and not pos.all():
            fpr, tpr, _ = roc_curve(pos, score)
            path = save_roc(folder / f"classifier_roc_{name}.png", [(f"AUC {auc(pos, score):.3f}", fpr, tpr)], title)
            written.append(str(path))
    return written

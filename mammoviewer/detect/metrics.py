"""Detection metrics on whole films, as pure functions: FROC (lesion sensitivity at FP/image)
and average precision (VOC all-point and 20-point interpolation).

A FROC hit: the predicted box's centre lies inside the lesion's circle (the circle inscribed
in its square) or the box has IoU >= 0.3 with the square. Each lesion is hit at most once;
predictions are taken best score first, and one that only touches already-hit lesions is
neither a hit nor a false positive (as in LUNA16). Labels are ignored for FROC.
AP: per label, a prediction is a true positive when its IoU with a still unmatched square of
that label on the same film is >= 0.5; duplicates are false positives (VOC).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mammoviewer.geometry import boxes as gb

FP_RATES = (0.25, 0.5, 1.0, 2.0, 4.0)
AP20_RECALLS = np.linspace(0.0, 1.0, 20)
#: lesion diameter groups (mm) for FROC by size: (lower bound, upper bound, name)
SIZE_GROUPS_MM = ((0.0, 10.0, "<10 mm"), (10.0, 20.0, "10-20 mm"), (20.0, 40.0, "20-40 mm"),
                  (40.0, float("inf"), ">=40 mm"))


def size_group(box: tuple[float, float, float, float], pixel_mm: float) -> str:
    """The :data:`SIZE_GROUPS_MM` name of a lesion square's side (its circle's diameter)."""
    side = max(box[2] - box[0], box[3] - box[1]) * pixel_mm
    return next(name for lo, hi, name in SIZE_GROUPS_MM if lo <= side < hi)


@dataclass(frozen=True, slots=True)
class Truth:
    film: str
    box: tuple[float, float, float, float]  # square around the lesion circle
    label: str
    cls: str = ""  # MIAS class (CIRC, SPIC, ...)


@dataclass(frozen=True, slots=True)
class Prediction:
    film: str
    box: tuple[float, float, float, float]
    label: str
    score: float


@dataclass(frozen=True)
class Froc:
    """Per-lesion hit scores (-inf: never hit) and the scores of false positives."""

    hit_scores: np.ndarray  # [L]
    fp_scores: np.ndarray  # sorted descending
    n_images: int
    lesion_classes: tuple[str, ...] = field(default=())

    def sensitivity_at(self, fp_per_image: float, mask: np.ndarray | None = None) -> float:
        """Best sensitivity whose false positives per image do not exceed ``fp_per_image``."""
        hits = self.hit_scores if mask is None else self.hit_scores[mask]
        if hits.size == 0:
            return float("nan")
        allowed = int(np.floor(fp_per_image * self.n_images + 1e-9))
        if allowed >= self.fp_scores.size:
            return float(np.mean(np.isfinite(hits)))
        cut = self.fp_scores[allowed]  # the first FP we may not accept
        return float(np.mean(hits > cut))

    def curve(self, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(FP per image, sensitivity) at every threshold, FP rates ascending."""
        hits = self.hit_scores if mask is None else self.hit_scores[mask]
        fps = np.arange(self.fp_scores.size + 1)
        cuts = np.append(self.fp_scores, -np.inf)
        sens = np.array([np.mean(hits > c) if hits.size else np.nan for c in cuts])
        sens[-1] = np.mean(np.isfinite(hits)) if hits.size else np.nan
        return fps / max(self.n_images, 1), sens

    def threshold_at(self, fp_per_image: float) -> float:
        """The lowest score threshold keeping false positives per image <= ``fp_per_image``."""
        allowed = int(np.floor(fp_per_image * self.n_images + 1e-9))
        if allowed >= self.fp_scores.size:
            return 0.0
        return float(np.nextafter(self.fp_scores[allowed], np.inf))


def hits(pred_box: np.ndarray, truth_boxes: np.ndarray) -> np.ndarray:
    """Which squares a prediction hits: centre inside the inscribed circle, or IoU >= 0.3."""
    cx, cy = (pred_box[0] + pred_box[2]) / 2, (pred_box[1] + pred_box[3]) / 2
    tc = (truth_boxes[:, :2] + truth_boxes[:, 2:]) / 2
    r = (truth_boxes[:, 2] - truth_boxes[:, 0]) / 2
    inside = (cx - tc[:, 0]) ** 2 + (cy - tc[:, 1]) ** 2 <= r**2
    return inside | (gb.iou(pred_box[None], truth_boxes)[0] >= 0.3)


def froc(predictions: list[Prediction], truths: list[Truth], n_images: int) -> Froc:
    """Match predictions (best first) to lesions; see the module docstring for the rules."""
    by_film: dict[str, list[int]] = {}
    for i, t in enumerate(truths):
        by_film.setdefault(t.film, []).append(i)
    tboxes = gb.as_boxes([t.box for t in truths])
    hit = np.full(len(truths), -np.inf)
    fps = []
    for p in sorted(predictions, key=lambda p: -p.score):
        idx = by_film.get(p.film, [])
        if not idx:
            fps.append(p.score)
            continue
        h = hits(np.asarray(p.box, dtype=np.float64), tboxes[idx])
        if not h.any():
            fps.append(p.score)
            continue
        free = [j for j, ok in zip(idx, h) if ok and not np.isfinite(hit[j])]
        if free:
            ious = gb.iou(np.asarray([p.box], dtype=np.float64), tboxes[free])[0]
            hit[free[int(np.argmax(ious))]] = p.score
    return Froc(hit, np.sort(np.asarray(fps, dtype=np.float64))[::-1], n_images, tuple(t.cls for t in truths))


@dataclass(frozen=True)
class PrecisionRecall:
    precision: np.ndarray
    recall: np.ndarray
    n_truth: int

    @property
    def ap_all_point(self) -> float:
        """VOC 2010+ AP: area under the monotone precision envelope."""
        if self.n_truth == 0:
            return float("nan")
        r = np.concatenate([[0.0], self.recall, [1.0]])
        p = np.concatenate([[0.0], self.precision, [0.0]])
        p = np.maximum.accumulate(p[::-1])[::-1]
        i = np.flatnonzero(r[1:] != r[:-1])
        return float(np.sum((r[i + 1] - r[i]) * p[i + 1]))

    @property
    def ap_20_point(self) -> float:
        """Mean over 20 recall levels (0, 1/19, ..., 1) of the best precision at recall >= level."""
        if self.n_truth == 0:
            return float("nan")
        vals = [self.precision[self.recall >= t].max() if np.any(self.recall >= t) else 0.0 for t in AP20_RECALLS]
        return float(np.mean(vals))


def precision_recall(predictions: list[Prediction], truths: list[Truth], label: str,
                     iou_threshold: float = 0.5) -> PrecisionRecall:
    """VOC matching of ``label`` predictions against ``label`` squares."""
    gts: dict[str, np.ndarray] = {}
    for t in truths:
        if t.label == label:
            gts.setdefault(t.film, []).append(t.box)  # type: ignore[arg-type]
    gts = {k: gb.as_boxes(v) for k, v in gts.items()}
    used = {k: np.zeros(len(v), dtype=bool) for k, v in gts.items()}
    n_truth = sum(len(v) for v in gts.values())
    preds = sorted((p for p in predictions if p.label == label), key=lambda p: -p.score)
    tp = np.zeros(len(preds))
    for i, p in enumerate(preds):
        g = gts.get(p.film)
        if g is None:
            continue
        ious = gb.iou(np.asarray([p.box], dtype=np.float64), g)[0]
        j = int(np.argmax(ious))
        if ious[j] >= iou_threshold and not used[p.film][j]:
            used[p.film][j] = True
            tp[i] = 1
    ctp, cfp = np.cumsum(tp), np.cumsum(1 - tp)
    recall = ctp / max(n_truth, 1)
    precision = ctp / np.maximum(ctp + cfp, 1e-12)
    return PrecisionRecall(precision, recall, n_truth)


def summarise(predictions: list[Prediction], truths: list[Truth], n_images: int,
              labels: tuple[str, ...] = ("benign", "malignant"), pixel_mm: float | None = None) -> dict:
    """Every figure of the evaluation as plain JSON-able values; with the truths' ``pixel_mm``, also the
    FROC by lesion size (``froc_by_size``, groups with lesions only)."""
    f = froc(predictions, truths, n_images)
    classes = sorted({t.cls for t in truths if t.cls})
    cls_arr = np.array([t.cls for t in truths])
    per_label = {}
    for lab in labels:
        pr = precision_recall(predictions, truths, lab)
        per_label[lab] = {"ap_voc": pr.ap_all_point, "ap_20pt": pr.ap_20_point, "lesions": pr.n_truth}
    valid = [v["ap_voc"] for v in per_label.values() if np.isfinite(v["ap_voc"])]
    valid20 = [v["ap_20pt"] for v in per_label.values() if np.isfinite(v["ap_20pt"])]
    return {
        "images": n_images,
        "lesions": len(truths),
        "predictions": len(predictions),
        "froc": {f"{r:g}": f.sensitivity_at(r) for r in FP_RATES},
        "froc_mean": float(np.mean([f.sensitivity_at(r) for r in FP_RATES])) if truths else float("nan"),
        "ap": per_label,
        "map_voc": float(np.mean(valid)) if valid else float("nan"),
        "map_20pt": float(np.mean(valid20)) if valid20 else float("nan"),
        "froc_by_class": {
            c: {"lesions": int(np.sum(cls_arr == c)),
                **{f"{r:g}": f.sensitivity_at(r, cls_arr == c) for r in FP_RATES}}
            for c in classes
        },
        **({"froc_by_size": _froc_by_size(f, truths, pixel_mm)} if pixel_mm else {}),
        "threshold_at_1fp": f.threshold_at(1.0),
    }


def _froc_by_size(f: Froc, truths: list[Truth], pixel_mm: float) -> dict:
    groups = np.array([size_group(t.box, pixel_mm) for t in truths])
    return {name: {"lesions": int(np.sum(groups == name)),
                   **{f"{r:g}": f.sensitivity_at(r, groups == name) for r in FP_RATES}}
            for _, _, name in SIZE_GROUPS_MM if np.any(groups == name)}

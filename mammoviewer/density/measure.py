"""Percent density: the dense share of the breast area, by clustering the breast's intensities (after LIBRA).

LIBRA (Keller et al., Med. Phys. 39(8):4903, 2012) segments the breast, clusters its intensities with
fuzzy c-means and calls each cluster dense or fatty. Here, on the display rendering (white = dense) at
:data:`WORK_MM` per pixel:

1. the breast mask of the detector (:func:`mammoviewer.detect.breast_mask.breast_mask`);
2. its interior: the mask eroded by :data:`INTERIOR_MM`, which drops the thin periphery near the skin,
   fatty by anatomy and darker only because the compressed breast is thinner there;
3. the interior's smoothed intensities clustered into :data:`CLUSTERS` classes with k-means in one
   dimension (the hard limit of fuzzy c-means; deterministic, started at the quantiles);
4. a cluster is dense when its centroid is at least :data:`DENSE_CENTROID` (LIBRA trains a classifier of
   clusters; on one scanner's films one centroid cut does that job);
5. percent density = dense pixels / all breast pixels (the whole mask) x 100.

The tissue rule also reads a few intensity features of the interior (:data:`FEATURES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from mammoviewer.density.guard import breast_problem, modality_problem
from mammoviewer.detect.breast_mask import breast_mask
from mammoviewer.detect.input_guard import check_film
from mammoviewer.detect.pixel_ops import disc
from mammoviewer.detect.preprocess import render_for_model, resample, spacing_of
from mammoviewer.errors import NotMammogramError
from mammoviewer.io.image import Image

#: working pixel size in mm
WORK_MM = 0.8
#: the breast mask is eroded by this many mm to its interior
INTERIOR_MM = 12.0
#: Gaussian smoothing (sigma, mm) of the rendering before clustering
SMOOTH_MM = 1.2
#: k-means classes of the interior's intensities
CLUSTERS = 8
#: a cluster whose centroid (display level, 0..1) is at least this is dense tissue
DENSE_CENTROID = 0.9
#: the features the tissue rule may read, in this order
FEATURES = ("percent_density", "p95", "bright_share", "log_area_cm2", "texture")


@dataclass(frozen=True)
class DensityMeasure:
    """One film's density: percent density, the breast area and the named features."""

    percent_density: float  # 0..100
    breast_area_cm2: float
    features: dict[str, float]
    #: the dense pixels at WORK_MM (for showing), and the breast mask
    dense: np.ndarray = field(repr=False, compare=False)
    mask: np.ndarray = field(repr=False, compare=False)


def kmeans_1d(values: np.ndarray, k: int, iterations: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """(centroids [k], class of each value) of 1-D ``values`` by Lloyd's k-means, started at the quantiles."""
    v = np.asarray(values, dtype=np.float64).ravel()
    centres = np.quantile(v, (np.arange(k) + 0.5) / k)
    assign = np.zeros(v.shape, dtype=np.int64)
    for _ in range(iterations):
        edges = (centres[1:] + centres[:-1]) / 2  # centroids stay sorted: nearest = between the midpoints
        assign = np.searchsorted(edges, v)
        sums = np.bincount(assign, weights=v, minlength=k)
        counts = np.bincount(assign, minlength=k)
        new = np.where(counts > 0, sums / np.maximum(counts, 1), centres)
        if np.allclose(new, centres, atol=1e-7):
            break
        centres = np.sort(new)
    return centres, assign


def _rendered(image: Image) -> np.ndarray:
    spacing, assumed = spacing_of(image)
    check_film(image, spacing, assumed, WORK_MM)
    small, _, _ = resample(render_for_model(image), spacing, WORK_MM)
    return small


def measure_rendered(film: np.ndarray, path: str = "film") -> DensityMeasure:
    """Density of a display rendering ``film`` (float [0, 1], white = dense) at :data:`WORK_MM` per pixel.

    NotMammogramError when no breast is found on it."""
    film = np.asarray(film, dtype=np.float32)
    mask = breast_mask(film, WORK_MM)
    problem = breast_problem(mask, WORK_MM)
    interior = cv2.erode(mask.astype(np.uint8), disc(2 * INTERIOR_MM / WORK_MM)) > 0
    if problem is None and interior.sum() < CLUSTERS * 4:
        problem = "not a mammogram: no breast found on the film (too small to measure)"
    if problem is not None:
        raise NotMammogramError(f"{path}: {problem}")
    smooth = cv2.GaussianBlur(film, (0, 0), SMOOTH_MM / WORK_MM)
    values = smooth[interior]
    centres, assign = kmeans_1d(values, CLUSTERS)
    dense_values = centres[assign] >= DENSE_CENTROID
    dense = np.zeros(film.shape, dtype=bool)
    dense[interior] = dense_values
    area = float(mask.sum())
    q50, q95 = np.quantile(values, [0.5, 0.95])
    band = cv2.GaussianBlur(film, (0, 0), 0.8 / WORK_MM) - cv2.GaussianBlur(film, (0, 0), 3.2 / WORK_MM)
    area_cm2 = area * WORK_MM * WORK_MM / 100.0
    percent = 100.0 * float(dense.sum()) / area
    features = {
        "percent_density": percent,
        "p95": float(q95),  # how white the densest tissue is
        "bright_share": float(np.mean(values >= q50 + 0.1)),  # share 0.1 above the interior's median
        "log_area_cm2": float(np.log(area_cm2)),
        "texture": float(np.mean(np.abs(band[interior]))),  # band-pass (1-4 mm) energy: glandular mottle
    }
    return DensityMeasure(percent, area_cm2, features, dense, mask)


def measure_density(image: Image) -> DensityMeasure:
    """Density of ``image``; NotMammogramError for another modality or a film with no breast,
    DetectorError for a film no model can take (:func:`mammoviewer.detect.input_guard.check_film`)."""
    problem = modality_problem(image)
    if problem is not None:
        raise NotMammogramError(f"{image.path}: {problem}")
    return measure_rendered(_rendered(image), image.path)

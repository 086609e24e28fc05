"""Click-to-locate: the reader clicks on a lesion, the detector proposes its box.

:class:`Locator` wraps a loaded :class:`~mammoviewer.detect.Detector`. For a click at (x, y)
in the opened image's pixels it

1. crops a window around the click from the film's display rendering (rendered once per image)
   and runs the detector on it at the model's pixel size (:data:`WINDOW_MM` wide, room for the
   largest masses); ``LocateConfig(scales=(1.0, 2.0))`` also runs it at half that pixel size (the
   film's native 0.2 mm for MIAS, half as wide), where small lesions are twice as large for the
   network (measured: no better, see models/README.md, so off by default);
2. keeps every candidate down to :data:`CANDIDATE_FLOOR` (no containment suppression: a small
   lesion inside a larger false positive must survive), and adds model-free proposals from the
   image at the click (:mod:`~mammoviewer.detect.click_regions`: the square near the click whose
   inside is brightest against its surround, and the square around the nearest speck cluster);
3. ranks them by ``score x click prior``: the prior is a Gaussian of the distance (mm) of the
   box centre to the click, and a box that does not contain the click is nearly ruled out;
   the blob carries the fixed score :data:`BLOB_SCORE`, the speck cluster :data:`SPECK_SCORE`
   when it holds :data:`MIN_SPECKS` specks or more (else it comes last);
4. drops proposals overlapping a better one (IoU > :data:`DEDUPE_IOU`) and returns the best
   first, boxes in the opened image's pixels.

Everything is plain numpy/OpenCV around the detector's own forward pass and post-processing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np

from mammoviewer.detect.data import LABELS
from mammoviewer.detect.detector import Detector, DetectionCancelled
from mammoviewer.detect.click_regions import click_boxes
from mammoviewer.detect.preprocess import PLANES, render_for_model, resample, spacing_of
from mammoviewer.errors import DetectorError
from mammoviewer.geometry import boxes as gb
from mammoviewer.io.image import Image

#: side in mm of the window cropped at the model's pixel size (halved at the finer scale)
WINDOW_MM = 102.4
#: candidates of the detector down to this score are ranked
CANDIDATE_FLOOR = 1e-3
#: spread (mm) of the click prior on the box centre
CENTRE_SIGMA_MM = 12.0
#: factor of the prior of a box that does not contain the click
OUTSIDE_PENALTY = 0.05
#: rank scores of the model-free proposals (what a model candidate must beat after its prior)
BLOB_SCORE, SPECK_SCORE = 0.1, 0.3
#: the speck cluster ranks with SPECK_SCORE from this many specks on (fewer: last)
MIN_SPECKS = 2
#: a proposal overlapping a better one by more than this IoU is dropped
DEDUPE_IOU = 0.6


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed finding: ``box`` (x0, y0, x1, y1) in the opened image's pixels, its label, its rank
    score (detector score x click prior; in [0, 1]) and where it comes from (``"model"``, ``"image:blob"``
    or ``"image:speck"``)."""

    box: tuple[float, float, float, float]
    label: str
    score: float
    source: str


@dataclass(frozen=True, slots=True)
class LocateConfig:
    """The knobs of :class:`Locator` (defaults: the module constants)."""

    scales: tuple[float, ...] = (1.0,)  # model pixel size divided by these (2.0: also at half of it)
    window_mm: float = WINDOW_MM
    centre_sigma_mm: float = CENTRE_SIGMA_MM
    outside_penalty: float = OUTSIDE_PENALTY
    blob_score: float = BLOB_SCORE
    speck_score: float = SPECK_SCORE
    min_specks: int = MIN_SPECKS
    image_proposals: bool = True
    dedupe_iou: float = DEDUPE_IOU
    max_proposals: int = 5


class Locator:
    """Proposals for clicks on one image after another (see the module docstring).

    Not thread-safe for concurrent calls; the detector's forward pass is.
    """

    def __init__(self, detector: Detector, config: LocateConfig = LocateConfig()) -> None:
        self.detector = detector
        self.config = config
        self._post = replace(detector.post, containment=None)
        self._image: Image | None = None
        self._rendered: np.ndarray | None = None

    @property
    def model_name(self) -> str:
        return f"{self.detector.name} {self.detector.version}"

    def rendered(self, image: Image) -> np.ndarray:
        """The display rendering of ``image``, kept for the next click on the same image."""
        if self._image is not image or self._rendered is None:
            self._rendered = render_for_model(image)
            self._image = image
        return self._rendered

    def warm_up(self) -> None:
        """Trace the forward pass at the window sizes, so the first click only computes."""
        blank = Image(path="warm-up", format="pgm", pixels=np.zeros((512, 512), np.uint8), bits_stored=8,
                      pixel_spacing_mm=(0.2, 0.2))
        self.locate(blank, 256.0, 256.0)
        self._image = self._rendered = None

    def locate(self, image: Image, x: float, y: float,
               cancel: threading.Event | None = None) -> list[Proposal]:
        """Proposals for a click at column ``x``, row ``y`` of ``image``, best first.

        Raises DetectorError for a click outside the image, DetectionCancelled when ``cancel`` is set.
        """
        return rank(self.candidates(image, x, y, cancel), self.config)

    def candidates(self, image: Image, x: float, y: float,
                   cancel: threading.Event | None = None) -> Candidates:
        """Everything :func:`rank` chooses from for a click (the model's candidates at every scale of
        the config, and the model-free boxes when the config asks for them)."""
        if not (0 <= x < image.columns and 0 <= y < image.rows):
            raise DetectorError(f"{image.path}: click ({x:g}, {y:g}) is outside the "
                                f"{image.columns} x {image.rows} image")
        cfg = self.config
        rendered = self.rendered(image)
        spacing, _ = spacing_of(image)
        boxes, classes, scores, scales = [np.zeros((0, 4))], [np.zeros(0, np.int64)], [np.zeros(0)], [np.zeros(0)]
        for scale in cfg.scales:
            if cancel is not None and cancel.is_set():
                raise DetectionCancelled(f"{image.path}: locate cancelled")
            crop, origin, mm = self._window(rendered, spacing, x, y, scale)
            stack, sx, sy = self._planes(crop, spacing, mm)
            b, c, sc = self.detector.detect_planes(stack, CANDIDATE_FLOOR, self._post)
            boxes.append(b / np.array([sx, sy, sx, sy]) + np.array([origin[0], origin[1]] * 2))
            classes.append(c)
            scores.append(sc)
            scales.append(np.full(len(b), scale))
        extra, kinds, specks = (click_boxes(rendered, spacing, x, y) if cfg.image_proposals
                                else (np.zeros((0, 4)), (), 0))
        return Candidates(float(x), float(y), spacing, (image.columns, image.rows), np.concatenate(boxes),
                          [self.detector.labels[int(c) - 1] for c in np.concatenate(classes)],
                          np.concatenate(scores), np.concatenate(scales), extra, kinds, specks)

    def _window(self, rendered: np.ndarray, spacing: tuple[float, float], x: float, y: float,
                scale: float) -> tuple[np.ndarray, tuple[int, int], float]:
        """The crop around the click for ``scale``: (crop, its (column, row) origin, model pixel mm)."""
        mm = self.detector.pixel_size_mm / scale
        side_mm = self.config.window_mm / scale
        half_c, half_r = side_mm / 2 / spacing[1], side_mm / 2 / spacing[0]
        rows, cols = rendered.shape[:2]
        c0, c1 = int(max(0, round(x - half_c))), int(min(cols, round(x + half_c)))
        r0, r1 = int(max(0, round(y - half_r))), int(min(rows, round(y + half_r)))
        return rendered[r0:r1, c0:c1], (c0, r0), mm

    def _planes(self, crop: np.ndarray, spacing: tuple[float, float], mm: float
                ) -> tuple[np.ndarray, float, float]:
        """The detector's input planes of ``crop`` at ``mm`` per pixel, padded; (stack, sx, sy)."""
        film, sx, sy = resample(crop, spacing, mm, self.detector.spec.multiple)
        film = np.clip(film, 0.0, 1.0)
        planes = [film]
        shape = (max(1, int(round(crop.shape[0] * spacing[0] / mm))),
                 max(1, int(round(crop.shape[1] * spacing[1] / mm))))
        for name in self.detector.inputs[1:]:
            plane = PLANES[name](crop, mm, shape)
            planes.append(np.pad(plane, ((0, film.shape[0] - shape[0]), (0, film.shape[1] - shape[1]))))
        return np.stack(planes, axis=-1).astype(np.float32), sx, sy


@dataclass(frozen=True)
class Candidates:
    """The material of one click: the model's boxes (opened image's pixels) with labels, scores and
    the scale each came from, and the model-free boxes."""

    x: float
    y: float
    spacing: tuple[float, float]
    size: tuple[int, int]  # (columns, rows) of the image
    boxes: np.ndarray
    labels: list[str]
    scores: np.ndarray
    scales: np.ndarray
    image_boxes: np.ndarray
    image_kinds: tuple[str, ...] = ()
    specks: int = 0  # specks in the speck cluster


def rank(c: Candidates, cfg: LocateConfig = LocateConfig()) -> list[Proposal]:
    """The proposals of ``c`` under ``cfg`` (scales and model-free boxes it allows), best first."""
    use = np.isin(c.scales, cfg.scales)
    boxes = c.boxes[use]
    ranked = c.scores[use] * click_prior(boxes, c.x, c.y, c.spacing, cfg.centre_sigma_mm, cfg.outside_penalty)
    labels = [lab for lab, u in zip(c.labels, use) if u]
    sources = ["model"] * len(boxes)
    if cfg.image_proposals and len(c.image_boxes):
        best_label = labels[int(np.argmax(ranked))] if len(ranked) else LABELS[0]
        boxes = np.concatenate([boxes, c.image_boxes])
        speck = cfg.speck_score if c.specks >= cfg.min_specks else 0.0
        image_scores = [cfg.blob_score if k == "blob" else speck for k in c.image_kinds]
        ranked = np.concatenate([ranked, image_scores])
        labels = labels + [best_label] * len(c.image_boxes)
        sources = sources + [f"image:{k}" for k in c.image_kinds]
    boxes = boxes.copy()
    boxes[:, [0, 2]] = np.clip(boxes[:, [0, 2]], 0, c.size[0])
    boxes[:, [1, 3]] = np.clip(boxes[:, [1, 3]], 0, c.size[1])
    return _best_first(boxes, ranked, labels, sources, cfg.dedupe_iou, cfg.max_proposals)


def click_prior(boxes: np.ndarray, x: float, y: float, spacing: tuple[float, float],
                sigma_mm: float = CENTRE_SIGMA_MM, outside: float = OUTSIDE_PENALTY) -> np.ndarray:
    """Prior ``[N]`` of boxes ``[N, 4]`` for a click at (x, y): Gaussian of the centre's distance to the
    click in mm (spread ``sigma_mm``), times ``outside`` for a box that does not contain the click."""
    b = gb.as_boxes(boxes)
    if not len(b):
        return np.zeros(0)
    dx = ((b[:, 0] + b[:, 2]) / 2 - x) * spacing[1]
    dy = ((b[:, 1] + b[:, 3]) / 2 - y) * spacing[0]
    prior = np.exp(-(dx * dx + dy * dy) / (2 * sigma_mm * sigma_mm))
    inside = (b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3])
    return np.where(inside, prior, prior * outside)


def _best_first(boxes: np.ndarray, ranked: np.ndarray, labels: list[str], sources: list[str],
                dedupe_iou: float, limit: int) -> list[Proposal]:
    keep_boxes = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    order = [int(i) for i in np.argsort(-ranked, kind="stable") if keep_boxes[i]]
    chosen: list[int] = []
    for i in order:
        if chosen and float(gb.iou(boxes[i:i + 1], boxes[chosen]).max()) > dedupe_iou:
            continue
        chosen.append(i)
        if len(chosen) >= limit:
            break
    return [Proposal(tuple(float(v) for v in boxes[i]),  # type: ignore[arg-type]
                     labels[i], float(ranked[i]), sources[i]) for i in chosen]

"""Training crops: random positions (some holding a lesion centre at a random offset, the rest
anywhere on tissue), 90-degree (or any-angle) rotations, flips, scale and contrast jitter, lesions of
other films added onto tissue, and SSD targets."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mammoviewer.detect import anchors as an
from mammoviewer.geometry import boxes as gb


@dataclass(frozen=True, slots=True)
class CropConfig:
    size: int = 256  # crop side, model pixels
    positive_fraction: float = 0.5  # crops holding a lesion centre
    min_tissue: float = 0.3  # crops with less tissue than this (mostly air) are discarded
    tissue_level: float = 0.12  # rendered intensity above which a pixel counts as tissue
    keep_fraction: float = 0.6  # a cut lesion keeps its clipped box if this much of it is inside
    scale_jitter: tuple[float, float] = (0.85, 1.18)
    gamma_jitter: float = 0.3  # log-gamma uniform in [-g, g]
    contrast_jitter: float = 0.15
    brightness_jitter: float = 0.05
    any_angle: bool = False  # also rotate by a uniform angle (exact for MIAS boxes, squares around circles)
    paste_fraction: float = 0.0  # crops drawn without a lesion that get one of another film pasted in
    jitter_planes: tuple[int, ...] = (0,)  # planes given the (same) contrast jitter: the film, the other film


@dataclass(frozen=True, slots=True)
class TrainFilm:
    """A cached film at the model's pixel size with its lesions (model frame) and class ids."""

    ref: str
    image: np.ndarray  # uint8 [H, W], or [H, W, C] for a model of several input planes (film first)
    boxes: np.ndarray  # [G, 4]
    labels: np.ndarray  # [G] class ids


def clip_boxes(boxes: np.ndarray, x0: float, y0: float, side: float, keep_fraction: float):
    """Boxes moved into a crop at (x0, y0) of ``side``: (kept [K,4], index of kept, cut [C,4])."""
    b = gb.as_boxes(boxes) - np.array([x0, y0, x0, y0])
    c = np.clip(b, 0, side)
    frac = gb.area(c) / np.maximum(gb.area(b), 1e-9)
    keep = frac >= keep_fraction
    cut = (frac > 0) & ~keep
    return c[keep], np.flatnonzero(keep), c[cut]


def rotate_boxes(boxes: np.ndarray, side: int, k: int, flip: bool) -> np.ndarray:
    """Boxes after ``np.rot90(img, k)`` then (optionally) ``img[:, ::-1]`` on a ``side`` square."""
    b = gb.as_boxes(boxes).copy()
    for _ in range(k % 4):  # rot90 counter-clockwise: (x, y) -> (y, side - x)
        b = np.stack([b[:, 1], side - b[:, 2], b[:, 3], side - b[:, 0]], axis=1)
    if flip:
        b = np.stack([side - b[:, 2], b[:, 1], side - b[:, 0], b[:, 3]], axis=1)
    return b


def _blend(region: np.ndarray, patch: np.ndarray, radius: float) -> np.ndarray:
    """``region`` (0..1) with the lesion of ``patch`` (0..1, the same square, its lesion's circle of
    ``radius`` at the centre) added: the patch's excess over its own surroundings (the median of the ring at 1.1-1.5 radii),
    at full weight inside the circle and fading to none at 1.5 radii, so no edge of the patch shows."""
    side = patch.shape[0]
    yy, xx = np.mgrid[0:side, 0:side]
    r = np.hypot(xx - (side - 1) / 2, yy - (side - 1) / 2) / max(radius, 1.0)
    ring = patch[(r > 1.1) & (r < 1.5)]
    level = float(np.median(ring)) if ring.size else float(np.median(patch))
    weight = np.clip((1.5 - r) / 0.5, 0.0, 1.0)
    return np.clip(region + weight * (patch - level), 0.0, 1.0).astype(np.float32)


class CropSampler:
    """Draws augmented crops and their SSD targets from ``films``; everything comes from ``rng``."""

    def __init__(self, films: list[TrainFilm], spec: an.AnchorSpec = an.AnchorSpec(),
                 cfg: CropConfig = CropConfig(), weights: list[float] | None = None) -> None:
        """``weights``: how likely each film is drawn, relative to the others (None: all alike)."""
        if not films:
            raise ValueError("CropSampler needs at least one film")
        if weights is not None and (len(weights) != len(films) or min(weights) < 0 or sum(weights) <= 0):
            raise ValueError(f"CropSampler: {len(weights)} weights for {len(films)} films, all >= 0, not all 0")
        self.films, self.spec, self.cfg = films, spec, cfg
        self.positive = [i for i, f in enumerate(films) if len(f.boxes)]
        self._p_all = self._p_pos = None
        if weights is not None:
            w = np.asarray(weights, dtype=np.float64)
            self._p_all = w / w.sum()
            wp = w[self.positive]
            self._p_pos = wp / wp.sum() if wp.sum() > 0 else None
        self.anchors = an.generate_anchors(cfg.size, cfg.size, spec)
        self.lesions = [(i, j) for i in self.positive for j in range(len(films[i].boxes))]

    def _origin(self, film: TrainFilm, side: int, rng: np.random.Generator, positive: bool):
        h, w = film.image.shape[:2]
        for _ in range(20):
            if positive:
                g = film.boxes[rng.integers(len(film.boxes))]
                cx, cy = (g[0] + g[2]) / 2, (g[1] + g[3]) / 2
                x0 = cx - rng.uniform(0.1, 0.9) * side
                y0 = cy - rng.uniform(0.1, 0.9) * side
            else:
                x0, y0 = rng.uniform(0, max(w - side, 0)), rng.uniform(0, max(h - side, 0))
            x0 = int(np.clip(round(x0), 0, max(w - side, 0)))
            y0 = int(np.clip(round(y0), 0, max(h - side, 0)))
            crop = film.image[y0:y0 + side, x0:x0 + side]
            if crop.ndim == 3:
                crop = crop[:, :, 0]
            if (crop > self.cfg.tissue_level * 255).mean() >= self.cfg.min_tissue:
                return x0, y0
        return None

    def _draw(self, rng: np.random.Generator, positive: bool) -> int:
        """A film index: among the films with a lesion for a positive crop, else among all."""
        if positive and self.positive:
            if self._p_pos is None:
                return self.positive[rng.integers(len(self.positive))]
            return self.positive[int(rng.choice(len(self.positive), p=self._p_pos))]
        if self._p_all is None:
            return int(rng.integers(len(self.films)))
        return int(rng.choice(len(self.films), p=self._p_all))

    def crop(self, rng: np.random.Generator, positive: bool):
        """One augmented crop: (float32 image [S, S, C], boxes [K, 4], labels [K], cut boxes [C, 4]).

        Contrast jitter touches ``jitter_planes`` only (the film, and the other breast's film alike);
        geometry applies to every plane.
        """
        cfg, s = self.cfg, self.cfg.size
        while True:
            idx = self._draw(rng, positive)
            film = self.films[idx]
            side = int(round(s * rng.uniform(*cfg.scale_jitter)))
            side = min(side, *film.image.shape[:2])
            origin = self._origin(film, side, rng, positive and len(film.boxes) > 0)
            if origin is not None:
                break
        x0, y0 = origin
        if cfg.any_angle:
            img, boxes, labels, cut = self._turned(film, x0, y0, side, float(rng.uniform(0.0, 360.0)))
        else:
            img, boxes, labels, cut = self._straight(film, x0, y0, side)
        if cfg.paste_fraction > 0 and not positive and self.lesions and rng.random() < cfg.paste_fraction:
            img, boxes, labels = self._pasted(img, boxes, labels, cut, s / side, rng)
        k, flip = int(rng.integers(4)), bool(rng.integers(2))
        img = np.rot90(img, k)
        if flip:
            img = img[:, ::-1]
        boxes, cut = rotate_boxes(boxes, s, k, flip), rotate_boxes(cut, s, k, flip)
        gamma = float(np.exp(rng.uniform(-cfg.gamma_jitter, cfg.gamma_jitter)))
        a = 1.0 + rng.uniform(-cfg.contrast_jitter, cfg.contrast_jitter)
        b = rng.uniform(-cfg.brightness_jitter, cfg.brightness_jitter)
        img = img.copy()
        for p in cfg.jitter_planes:
            img[:, :, p] = np.clip(a * np.power(np.clip(img[:, :, p], 0, 1), gamma) + b, 0.0, 1.0)
        return np.ascontiguousarray(img, dtype=np.float32), boxes, labels, cut

    def _straight(self, film: TrainFilm, x0: int, y0: int, side: int):
        """The film's ``side`` square at (x0, y0), resized to the crop size."""
        s = self.cfg.size
        img = film.image[y0:y0 + side, x0:x0 + side].astype(np.float32) / 255.0
        if img.ndim == 2:
            img = img[:, :, None]
        if img.shape[:2] != (side, side):
            img = np.pad(img, ((0, side - img.shape[0]), (0, side - img.shape[1]), (0, 0)))
        boxes, kept, cut = clip_boxes(film.boxes, x0, y0, side, self.cfg.keep_fraction)
        if side != s:
            img = cv2.resize(img, (s, s), interpolation=cv2.INTER_AREA if side > s else cv2.INTER_LINEAR)
            img = img.reshape(s, s, -1)  # cv2 drops a single channel axis
            boxes, cut = boxes * (s / side), cut * (s / side)
        return img, boxes, film.labels[kept], cut

    def _turned(self, film: TrainFilm, x0: int, y0: int, side: int, angle: float):
        """The same square turned by ``angle`` degrees about its centre. A lesion box is the square
        around its circle, so the turned lesion's box is the square of the same side around its turned
        centre: the targets stay exact. Film outside the frame is black."""
        s = self.cfg.size
        k = s / side
        centre = (x0 + side / 2.0, y0 + side / 2.0)
        m = cv2.getRotationMatrix2D(centre, angle, k)
        m[:, 2] += (s / 2.0 - centre[0], s / 2.0 - centre[1])
        img = cv2.warpAffine(film.image, m, (s, s), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        img = img.reshape(s, s, -1).astype(np.float32) / 255.0
        c = gb.corners_to_centers(film.boxes)  # [G, 4]: cx, cy, w, h
        moved = np.c_[c[:, :2], np.ones(len(c))] @ m.T  # turned and scaled centres [G, 2]
        turned = gb.centers_to_corners(np.c_[moved, c[:, 2:] * k])
        boxes, kept, cut = clip_boxes(turned, 0.0, 0.0, s, self.cfg.keep_fraction)
        return img, boxes, film.labels[kept], cut

    def _pasted(self, img: np.ndarray, boxes: np.ndarray, labels: np.ndarray, cut: np.ndarray, scale: float,
                rng: np.random.Generator):
        """``img`` with one lesion of a random film added (``_blend``) at a place that is tissue and clear
        of every box; its box and label are added. The film plane only: a crop of several planes, or one
        with no such place, comes back as it was."""
        s, cfg = self.cfg.size, self.cfg
        if img.shape[2] != 1:
            return img, boxes, labels
        fi, gi = self.lesions[int(rng.integers(len(self.lesions)))]
        src = self.films[fi]
        g = src.boxes[gi]
        cx, cy, side_l = (g[0] + g[2]) / 2, (g[1] + g[3]) / 2, max(g[2] - g[0], g[3] - g[1])
        half = int(np.ceil(0.75 * side_l))  # the lesion's square and a quarter of its side around it
        x0, y0, x1, y1 = int(round(cx)) - half, int(round(cy)) - half, int(round(cx)) + half, int(round(cy)) + half
        plane = src.image if src.image.ndim == 2 else src.image[:, :, 0]
        if x0 < 0 or y0 < 0 or x1 > plane.shape[1] or y1 > plane.shape[0]:
            return img, boxes, labels
        patch = plane[y0:y1, x0:x1]
        side_p = int(round(2 * half * scale))
        if side_p < 8 or side_p > s - 4:
            return img, boxes, labels
        patch = cv2.resize(patch, (side_p, side_p), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        patch = patch.astype(np.float32) / 255.0
        taken = np.concatenate([gb.as_boxes(boxes), gb.as_boxes(cut)])
        for _ in range(10):
            px, py = int(rng.integers(2, s - side_p - 1)), int(rng.integers(2, s - side_p - 1))
            new = gb.centers_to_corners([[px + side_p / 2, py + side_p / 2, side_l * scale, side_l * scale]])
            region = img[py:py + side_p, px:px + side_p, 0]
            if (region > cfg.tissue_level).mean() < 0.95:
                continue
            if len(taken) and (gb.iou(new, taken) > 0).any():
                continue
            img = img.copy()
            img[py:py + side_p, px:px + side_p, 0] = _blend(region, patch, side_l * scale / 2)
            return img, np.concatenate([gb.as_boxes(boxes), new]), np.append(labels, src.labels[gi]).astype(labels.dtype)
        return img, boxes, labels

    def batch(self, batch_size: int, rng: np.random.Generator):
        """(images [B, S, S, C], targets [B, A, 5]) for the SSD loss."""
        imgs, targets = [], []
        for _ in range(batch_size):
            img, boxes, labels, cut = self.crop(rng, rng.random() < self.cfg.positive_fraction)
            lab, off = an.assign(self.anchors, boxes, labels, cut, self.spec)
            imgs.append(img)
            targets.append(np.concatenate([lab[:, None].astype(np.float32), off], axis=1))
        return np.stack(imgs), np.stack(targets)

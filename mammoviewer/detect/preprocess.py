"""Bring any image to the model's pixel size through the viewer's display pipeline, and map boxes back.

The picture the model sees is the one the viewer shows: ``mammoviewer.io.display.render``
(Modality LUT -> VOI -> MONOCHROME1 inversion) then an area resample to ``pixel_mm`` using
the image's pixel spacing, padded at the bottom/right to a multiple of the largest stride.

A model may take more than the film as input (its card's ``"inputs"``):

- ``"film"``: the resampled display rendering;
- ``"tophat"``: small bright spots (calcifications) that the area resample would wash out: a
  white top-hat (1 mm disc) of the rendering at half the model's pixel size, max-pooled 2 x 2 to
  the model's pixels and scaled by :data:`TOPHAT_GAIN`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mammoviewer.detect.input_guard import check_film
from mammoviewer.geometry import boxes as gb
from mammoviewer.geometry.mias import ASSUMED_FILM_HEIGHT_MM
from mammoviewer.io.image import Image

#: the input planes a model may ask for, in the order its card lists them
INPUTS = ("film", "tophat", "contralateral")
#: the planes that are film renderings, which training's contrast jitter changes alike
RENDERINGS = ("film", "contralateral")
#: top-hat responses are multiplied by this and clipped to [0, 1] (tissue noise ~0.03, calcifications 0.1-0.9)
TOPHAT_GAIN = 4.0
#: diameter of the top-hat's structuring element in mm
TOPHAT_DISC_MM = 1.0



@dataclass(frozen=True, slots=True)
class ModelInput:
    """A film resampled for the model, and how to get back to the opened image's pixels."""

    array: np.ndarray  # float32 [H, W] in [0, 1], padded: the film
    scale_x: float  # model pixels per original column
    scale_y: float  # model pixels per original row
    width: int  # original columns
    height: int  # original rows
    spacing_mm: tuple[float, float]  # (row, column) spacing used
    spacing_assumed: bool  # True when the image had no pixel spacing
    planes: np.ndarray | None = None  # float32 [H, W, C]: the model's inputs in card order
    rendered: np.ndarray | None = None  # float32: the display rendering at the opened image's pixels, if kept
    other_film: str | None = None  # the contralateral film used for the "contralateral" plane, if any

    @property
    def stack(self) -> np.ndarray:
        """The model's input planes [H, W, C] (the film alone when no planes were asked for)."""
        return self.planes if self.planes is not None else self.array[:, :, None]


def render_for_model(image: Image) -> np.ndarray:
    """The display rendering of ``image`` (float32 [0, 1], white = dense tissue)."""
    from mammoviewer.io.display import render

    return np.asarray(render(image), dtype=np.float32)


def spacing_of(image: Image) -> tuple[tuple[float, float], bool]:
    """(row, column) pixel spacing in mm and whether it was assumed."""
    sp = image.pixel_spacing_mm
    if sp and sp[0] and sp[1] and sp[0] > 0 and sp[1] > 0:
        return (float(sp[0]), float(sp[1])), False
    s = ASSUMED_FILM_HEIGHT_MM / max(image.rows, 1)
    return (s, s), True


def resample(rendered: np.ndarray, spacing_mm: tuple[float, float], pixel_mm: float,
             multiple: int = 1) -> tuple[np.ndarray, float, float]:
    """Area-resample a rendered image to ``pixel_mm`` and pad to ``multiple``; returns (array, sx, sy)."""
    rows, cols = rendered.shape[:2]
    new_w = max(1, int(round(cols * spacing_mm[1] / pixel_mm)))
    new_h = max(1, int(round(rows * spacing_mm[0] / pixel_mm)))
    if (new_w, new_h) == (cols, rows):
        small = rendered.astype(np.float32, copy=True)
    else:
        interp = cv2.INTER_AREA if new_w < cols or new_h < rows else cv2.INTER_LINEAR
        small = cv2.resize(rendered.astype(np.float32), (new_w, new_h), interpolation=interp)
    ph = -(-new_h // multiple) * multiple
    pw = -(-new_w // multiple) * multiple
    if (ph, pw) != small.shape:
        small = np.pad(small, ((0, ph - new_h), (0, pw - new_w)))
    return small, new_w / cols, new_h / rows


def tophat_plane(rendered: np.ndarray, pixel_mm: float, shape: tuple[int, int]) -> np.ndarray:
    """Bright spots of ``rendered`` below 1 mm, found at ``pixel_mm / 2`` and max-pooled to ``shape``.

    ``shape`` is the (rows, columns) of the film resampled to ``pixel_mm`` before padding.
    """
    rows, cols = shape
    fine = cv2.resize(rendered.astype(np.float32), (2 * cols, 2 * rows),
                      interpolation=cv2.INTER_AREA if 2 * cols < rendered.shape[1] else cv2.INTER_LINEAR)
    d = max(3, int(round(TOPHAT_DISC_MM / (pixel_mm / 2))) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))
    spots = cv2.morphologyEx(fine, cv2.MORPH_TOPHAT, disc)
    pooled = spots.reshape(rows, 2, cols, 2).max(axis=(1, 3))
    return np.clip(pooled * TOPHAT_GAIN, 0.0, 1.0).astype(np.float32)


#: extra planes by name: (rendered image, pixel_mm, unpadded model shape) -> float32 plane
PLANES = {"tophat": tophat_plane}


def check_inputs(inputs) -> tuple[str, ...]:
    """``inputs`` as a tuple; ValueError unless it is the film first, then distinct known planes."""
    inputs = tuple(inputs)
    if not inputs or inputs[0] != "film" or any(i not in INPUTS for i in inputs) or len(set(inputs)) != len(inputs):
        raise ValueError(f"input planes {list(inputs)} not understood: give film first, then any of "
                         f"{', '.join(INPUTS[1:])}")
    return inputs


def prepare(image: Image, pixel_mm: float, multiple: int = 64,
            inputs: tuple[str, ...] = ("film",), keep_rendered: bool = False,
            find_other: bool = True) -> ModelInput:
    """Render, resample and pad ``image`` for a model working at ``pixel_mm`` on ``inputs``
    (``keep_rendered``: also keep the rendering at the image's own pixels; ``find_other=False``: the
    ``"contralateral"`` plane does not look for the other film and the film stands in)."""
    inputs = check_inputs(inputs)
    spacing, assumed = spacing_of(image)
    check_film(image, spacing, assumed, pixel_mm)  # before any allocation a native library could abort on
    rendered = render_for_model(image)
    arr, sx, sy = resample(rendered, spacing, pixel_mm, multiple)
    arr = np.clip(arr, 0.0, 1.0)
    planes, other_film = None, None
    if inputs != ("film",):
        shape = (max(1, int(round(rendered.shape[0] * spacing[0] / pixel_mm))),
                 max(1, int(round(rendered.shape[1] * spacing[1] / pixel_mm))))
        pad = ((0, arr.shape[0] - shape[0]), (0, arr.shape[1] - shape[1]))
        extra = []
        for name in inputs[1:]:
            if name == "contralateral":
                from mammoviewer.detect.contralateral import other_plane

                other = other_plane(image, arr[:shape[0], :shape[1]], pixel_mm, find_other)
                other_film, plane = other.source, other.plane
            else:
                plane = PLANES[name](rendered, pixel_mm, shape)
            extra.append(np.pad(plane, pad))
        planes = np.stack([arr, *extra], axis=-1)
    return ModelInput(arr, sx, sy, image.columns, image.rows, spacing, assumed, planes,
                      rendered if keep_rendered else None, other_film)


def to_model_frame(boxes: np.ndarray, mi: ModelInput) -> np.ndarray:
    """Original-frame corner boxes -> model-frame boxes."""
    b = gb.as_boxes(boxes)
    return b * np.array([mi.scale_x, mi.scale_y, mi.scale_x, mi.scale_y])


def to_original_frame(boxes: np.ndarray, mi: ModelInput) -> np.ndarray:
    """Model-frame corner boxes -> the opened image's pixel frame, clipped to the image."""
    b = gb.as_boxes(boxes) / np.array([mi.scale_x, mi.scale_y, mi.scale_x, mi.scale_y])
    b[:, [0, 2]] = np.clip(b[:, [0, 2]], 0, mi.width)
    b[:, [1, 3]] = np.clip(b[:, [1, 3]], 0, mi.height)
    return b

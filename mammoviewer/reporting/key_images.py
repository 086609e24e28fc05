"""Key images of a report: each film rendered by the display pipeline with its report findings drawn.

Pure numpy/OpenCV (RGB arrays); the PDF painter (``gui.report.pdf``) only places them. Boxes are
red for malignant and yellow for benign findings, numbered as in the report's findings list.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mammoviewer.io.display import render
from mammoviewer.io.image import Image
from mammoviewer.review.records import Box
from mammoviewer.review.report import StudyReport

#: key images are scaled to at most this many pixels high
MAX_HEIGHT = 900
COLOURS = {"malignant": (230, 40, 40), "benign": (240, 200, 30)}


@dataclass(frozen=True)
class KeyImage:
    """One film as the report shows it."""

    key: str
    caption: str  # "RCC", "LMLO" ...
    rgb: np.ndarray  # rows x columns x 3, uint8


def key_image(image: Image, key: str, caption: str, report: StudyReport, boxes: dict[str, Box]) -> KeyImage:
    """``image`` scaled to :data:`MAX_HEIGHT` with the report findings that come from it."""
    grey = (np.clip(render(image), 0.0, 1.0) * 255.0).astype(np.uint8)
    scale = min(1.0, MAX_HEIGHT / grey.shape[0])
    if scale < 1.0:
        grey = cv2.resize(grey, (max(1, int(grey.shape[1] * scale)), MAX_HEIGHT), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    thick = max(2, grey.shape[0] // 250)
    for n, f in enumerate(report.findings, start=1):
        for fkey, fid in zip(f.image_keys, f.finding_ids):
            box = boxes.get(fid)
            if fkey != key or box is None:
                continue
            x0, y0, x1, y1 = (int(round(v * scale)) for v in box.as_tuple())
            colour = COLOURS.get(f.label or "", (80, 160, 255))
            pad = 3 * thick
            cv2.rectangle(rgb, (x0 - pad, y0 - pad), (x1 + pad, y1 + pad), colour, thick)
            cv2.putText(rgb, str(n), (x0 - pad, max(12, y0 - pad - 4)), cv2.FONT_HERSHEY_SIMPLEX,
                        0.4 * thick, colour, thick)  # fmt: skip
    return KeyImage(key, caption, rgb)

"""PR and FROC curves drawn with OpenCV (no plotting library needed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

_COLOURS = [(200, 80, 0), (0, 0, 200), (0, 150, 0), (150, 0, 150), (0, 140, 200), (120, 120, 0),
            (90, 90, 90), (0, 90, 160)]  # BGR


def draw_curves(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: str | Path, title: str,
                xlabel: str, ylabel: str, xlim: tuple[float, float], ylim: tuple[float, float] = (0.0, 1.0),
                size: tuple[int, int] = (640, 480)) -> Path:
    """Step curves ``name -> (x, y)`` on white, with axes, ticks, labels and a legend; PNG."""
    w, h = size
    left, right, top, bottom = 60, 20, 40, 50
    img = np.full((h, w, 3), 255, np.uint8)
    pw, ph = w - left - right, h - top - bottom

    def to_px(x, y):
        px = left + (np.asarray(x, float) - xlim[0]) / (xlim[1] - xlim[0]) * pw
        py = top + ph - (np.asarray(y, float) - ylim[0]) / (ylim[1] - ylim[0]) * ph
        return px, py

    font = cv2.FONT_HERSHEY_SIMPLEX
    for i in range(5):
        fx = xlim[0] + (xlim[1] - xlim[0]) * i / 4
        fy = ylim[0] + (ylim[1] - ylim[0]) * i / 4
        x, _ = to_px(fx, ylim[0])
        _, y = to_px(xlim[0], fy)
        cv2.line(img, (int(x), top), (int(x), top + ph), (225, 225, 225), 1)
        cv2.line(img, (left, int(y)), (left + pw, int(y)), (225, 225, 225), 1)
        cv2.putText(img, f"{fx:g}", (int(x) - 10, top + ph + 18), font, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(img, f"{fy:.2f}", (left - 38, int(y) + 4), font, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.rectangle(img, (left, top), (left + pw, top + ph), (0, 0, 0), 1)
    cv2.putText(img, title, (left, 25), font, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(img, xlabel, (left + pw // 2 - 60, h - 10), font, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(img, ylabel, (5, top - 8), font, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    for k, (name, (x, y)) in enumerate(curves.items()):
        x, y = np.asarray(x, float), np.asarray(y, float)
        ok = np.isfinite(x) & np.isfinite(y) & (x >= xlim[0]) & (x <= xlim[1])  # no clipping artefacts
        if ok.sum() == 0:
            continue
        px, py = to_px(np.clip(x[ok], *xlim), np.clip(y[ok], *ylim))
        pts = np.stack([px, py], axis=1).round().astype(np.int32)
        cv2.polylines(img, [pts.reshape(-1, 1, 2)], False, _COLOURS[k % len(_COLOURS)], 2, cv2.LINE_AA)
    lx, ly = left + pw - 205, top + ph - 8 - 18 * len(curves)  # legend, bottom right, on white
    cv2.rectangle(img, (lx - 5, ly - 4), (left + pw - 2, top + ph - 2), (255, 255, 255), -1)
    cv2.rectangle(img, (lx - 5, ly - 4), (left + pw - 2, top + ph - 2), (160, 160, 160), 1)
    for k, name in enumerate(curves):
        cv2.putText(img, name, (lx, ly + 12 + 18 * k), font, 0.45, _COLOURS[k % len(_COLOURS)], 1, cv2.LINE_AA)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), img):
        raise OSError(f"{path}: cannot write PNG")
    return path

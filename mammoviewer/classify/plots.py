"""ROC curves drawn with OpenCV (no matplotlib): axes, grid, diagonal, curves with AUC in a legend."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from mammoviewer.errors import ExportError

_COLOURS = [(200, 80, 20), (30, 30, 210), (40, 150, 40), (150, 40, 150)]  # BGR


def draw_roc(curves: list[tuple[str, np.ndarray, np.ndarray]], title: str, size: int = 480) -> np.ndarray:
    """A ``[size, size, 3]`` uint8 BGR picture of ``(label, fpr, tpr)`` curves."""
    img = np.full((size, size, 3), 255, np.uint8)
    m0, m1 = 60, 30  # left/bottom margin, top/right margin
    w = size - m0 - m1

    def pt(fx: float, ty: float) -> tuple[int, int]:
        return int(round(m0 + fx * w)), int(round(size - m0 - ty * w))

    for v in np.linspace(0, 1, 6):
        cv2.line(img, pt(v, 0), pt(v, 1), (225, 225, 225), 1)
        cv2.line(img, pt(0, v), pt(1, v), (225, 225, 225), 1)
        cv2.putText(img, f"{v:.1f}", (pt(v, 0)[0] - 12, size - m0 + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
        cv2.putText(img, f"{v:.1f}", (m0 - 30, pt(0, v)[1] + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
    cv2.rectangle(img, pt(0, 1), pt(1, 0), (0, 0, 0), 1)
    cv2.line(img, pt(0, 0), pt(1, 1), (160, 160, 160), 1, cv2.LINE_AA)
    for i, (label, fpr, tpr) in enumerate(curves):
        pts = np.array([pt(f, t) for f, t in zip(fpr, tpr)], np.int32).reshape(-1, 1, 2)
        colour = _COLOURS[i % len(_COLOURS)]
        cv2.polylines(img, [pts], False, colour, 2, cv2.LINE_AA)
        # legend right-aligned in the bottom-right corner, below the diagonal where ROC curves rarely go
        (tw, _), _ = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)
        cv2.putText(img, label, (max(m0 + 4, size - m1 - 6 - tw), size - m0 - 10 - 16 * (len(curves) - 1 - i)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv2.LINE_AA)
    cv2.putText(img, title, (m0, m1 - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(img, "false positive rate", (size // 2 - 60, size - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    cv2.putText(img, "TPR", (8, size // 2), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    return img


def save_roc(path: str | Path, curves: list[tuple[str, np.ndarray, np.ndarray]], title: str) -> Path:
    """Draw and write a PNG; ``ExportError`` if it cannot be written."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = cv2.imwrite(str(path), draw_roc(curves, title))
    except OSError as exc:
        raise ExportError(f"{path}: cannot write ROC plot ({exc})") from exc
    if not ok:
        raise ExportError(f"{path}: cannot write ROC plot")
    return path

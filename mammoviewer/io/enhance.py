"""The reading-only "Enhanced" preset: CLAHE (OpenCV) on the displayed picture.

It sharpens local contrast for the reader's eye only. The detector and the classifier never see
it (an import-linter contract in setup.cfg keeps ``detect`` and ``classify`` from importing this
module); they are fed the shared display pipeline (``io.display.render``) unchanged.
"""

from __future__ import annotations

import numpy as np

#: the label the viewer shows on a pane while the enhancement is on
ENHANCED_LABEL = "ENHANCED (CLAHE): for reading only, not what the detector sees"


def clahe(picture: np.ndarray, clip_limit: float = 2.0, tiles: int = 8) -> np.ndarray:
    """CLAHE of a displayed picture (float in [0, 1], as ``render`` gives it) to uint8 in 0..255.

    ``clip_limit`` is OpenCV's contrast limit per tile, ``tiles`` the number of tiles along each side.
    It works on the 256 grey levels a screen shows (three times faster than at 16 bits). NaN (a
    picture from a broken window) counts as black and infinities as the ends, so OpenCV never sees them.
    """
    import cv2

    picture = np.asarray(picture)
    if picture.ndim != 2 or picture.size == 0:
        raise ValueError(f"CLAHE needs a 2-D picture, not shape {picture.shape}")
    if clip_limit <= 0 or tiles < 1:
        raise ValueError(f"CLAHE needs clip_limit > 0 and tiles >= 1 (got {clip_limit}, {tiles})")
    finite = np.nan_to_num(picture.astype(np.float32, copy=False), nan=0.0, posinf=1.0, neginf=0.0)
    levels = np.rint(np.clip(finite, 0.0, 1.0) * 255.0).astype(np.uint8)
    return cv2.createCLAHE(clipLimit=float(clip_limit), tileGridSize=(tiles, tiles)).apply(levels)

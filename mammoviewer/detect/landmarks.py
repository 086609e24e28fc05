"""A film's nipple and chest wall, found on its breast mask (``detect.breast_mask``).

* **chest wall**: the left or right side of the breast's bounding box, whichever outer fifth holds more
  breast (the breast is widest at the chest wall); the box edge, not the image edge, so a film with a
  margin (mini-MIAS films are padded to 1024 x 1024) is measured from where the breast ends;
* **nipple**: the breast's point farthest from the chest wall (the middle of the rows that reach
  within 2 mm of that farthest column), as a reader finds it on a film without a nipple marker.

On an MLO film the farthest point can sit a little below the nipple, and the chest wall is taken as
the film edge, not the pectoral muscle line: depths are thirds of the nipple-to-film-edge distance.
Returns None when no breast is found.
"""

from __future__ import annotations

import numpy as np

from mammoviewer.detect.breast_mask import breast_mask
from mammoviewer.geometry.breast_position import Landmarks
from mammoviewer.io.display import render
from mammoviewer.io.image import Image

#: the breast's farthest rows within this many mm of its farthest column make the nipple
NIPPLE_BAND_MM = 2.0
#: pixel size assumed for a film without pixel spacing
FALLBACK_MM = 0.2


def landmarks_of_mask(mask: np.ndarray, pixel_mm: float) -> Landmarks | None:
    """Nipple and chest wall of a breast ``mask`` (rows x columns, True = breast)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2 or not mask.any():
        return None
    columns = np.nonzero(mask.any(axis=0))[0]
    x0, x1 = int(columns.min()), int(columns.max()) + 1
    fifth = max(1, (x1 - x0) // 5)
    left, right = int(mask[:, x0:x0 + fifth].sum()), int(mask[:, x1 - fifth:x1].sum())
    chest_left = left >= right
    far = x1 - 1 if chest_left else x0
    band = max(1, int(round(NIPPLE_BAND_MM / pixel_mm)))
    near = mask[:, far - band + 1: far + 1] if chest_left else mask[:, far: far + band]
    rows = np.nonzero(near.any(axis=1))[0]
    nipple = (float(far) + (0.5 if chest_left else -0.5) + 0.5, float(np.median(rows)) + 0.5)
    chest_x = float(x0) if chest_left else float(x1)
    if abs(nipple[0] - chest_x) < 1.0:
        return None
    return Landmarks(nipple=nipple, chest_wall_x=chest_x)


def find_landmarks(image: Image) -> Landmarks | None:
    """The film's nipple and chest wall in its full-resolution pixels, None if no breast is found."""
    pixel_mm = image.pixel_spacing_mm[1] if image.pixel_spacing_mm else FALLBACK_MM
    mask = breast_mask(render(image), pixel_mm)
    return landmarks_of_mask(mask, pixel_mm)

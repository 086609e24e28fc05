"""Pre-annotation: a model's findings on a film recorded in a review store as pending, for review.

``mammoviewer detect --store`` and ``mammoviewer batch --store`` call :func:`record_pending` with an
entry of ``detect --json``. The findings land exactly as the viewer stores a model run: source
``"model"``, status pending, the model's name and version, replacing that model's untouched
findings of an earlier run (anything a reader edited, accepted or rejected stays). The viewer then
does not detect the film again when it opens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mammoviewer.errors import StoreError
from mammoviewer.review.keys import image_key
from mammoviewer.review.records import Box, Finding, ImageRecord
from mammoviewer.review.store import ReviewStore


def record_pending(store: ReviewStore, entry: Mapping[str, Any], model_name: str, model_version: str,
                   threshold: float, pixel_spacing_mm: float | None = None) -> list[Finding]:  # fmt: skip
    """Record one ``detect --json`` entry's findings in ``store`` as pending; the findings stored.

    The film (keyed by :func:`~mammoviewer.review.keys.image_key`, as the viewer keys it) is added
    to the store if new; a known film keeps its stored details and review state. The film and its
    findings are written in one transaction. An error entry (``{"path", "error"}``) records nothing and returns ``[]``.
    StoreError if the store cannot be written.
    """
    if "error" in entry:
        return []
    key = image_key(entry["path"])
    found = []
    for f in entry["findings"]:
        x0, y0, x1, y1 = f["box"]
        if x1 > x0 and y1 > y0:  # a box rounded to nothing is no finding
            found.append(Finding(image_key=key, box=Box.of(f["box"]), label=f["label"],
                                 score=float(f["score"]), source="model"))  # fmt: skip
    with store.transaction("record the model run"):
        try:
            store.image(key)
        except StoreError:
            store.add_image(ImageRecord(key=key, width=int(entry["width"]), height=int(entry["height"]),
                                        pixel_spacing_mm=pixel_spacing_mm))  # fmt: skip
        return store.record_model_findings(key, model_name, model_version, found, threshold=float(threshold))

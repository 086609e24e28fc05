"""Which film an image is: decided once, by its pixels, never by its file name.

Two files hold the same film when their decoded pixels are equal (the PGM and the PNG of one MIAS
film, a DICOM file copied under another name). :func:`content_hash` names those pixels; it is
computed where a film enters the review store (``ReviewSession.ensure_image``, the importers) and
kept with the image record. :func:`film_identity` is what exports compare, so one film never goes
out with two truths.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from mammoviewer.review.records import ImageRecord

#: image metadata key of the DICOM Body Part Examined (a digitised mammogram may be stored as OT/SC with BREAST)
BODY_PART = "body_part_examined"
#: prefix of a content hash: the recipe's name, so a changed recipe never matches an old hash
HASH_PREFIX = "px1:"


def _canonical(pixels: np.ndarray) -> np.ndarray:
    """The pixel values in one dtype per kind of content, so equal values give equal bytes
    (an 8-bit PNG and an 8-bit PGM; integer-valued floats after a Modality LUT and plain integers)."""
    a = np.asarray(pixels)
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or not np.array_equal(a, np.round(a)):
            return np.ascontiguousarray(a, dtype="<f8")
    if a.dtype.kind in "biuf":
        lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
        if lo >= 0 and hi <= 65535:
            return np.ascontiguousarray(a, dtype="<u2")
        return np.ascontiguousarray(a, dtype="<i8")
    raise ValueError(f"cannot name pixels of dtype {a.dtype}")


def content_hash(pixels: np.ndarray) -> str:
    """A name of the film's pixel content (shape and values): equal for equal pixels, whatever the file."""
    a = _canonical(pixels)
    h = hashlib.blake2b(digest_size=20)
    h.update(repr(a.shape).encode("ascii"))
    h.update(a.tobytes())
    return HASH_PREFIX + h.hexdigest()


def identify_file(path: str | Path) -> tuple[str, str | None, str | None] | None:
    """``(content hash, DICOM Modality, DICOM Body Part Examined)`` of the film at ``path`` (None for what the
    file does not say), or None when it cannot be read."""
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.io import load_image

    try:
        image = load_image(path)
    except (MammoViewerError, OSError, ValueError):
        return None
    body = str(image.metadata.get("BodyPartExamined") or "").strip() or None
    return content_hash(image.pixels), image.modality, body


def identified(image: ImageRecord, found: tuple[str, str | None, str | None] | None) -> ImageRecord:
    """``image`` with what :func:`identify_file` found where the record does not know it yet."""
    if found is None:
        return image
    content, modality, body = found
    meta = image.metadata
    if body and BODY_PART not in meta:
        meta = {**meta, BODY_PART: body}
    return image.replace(content_hash=image.content_hash or content, modality=image.modality or modality,
                         metadata=meta)


def film_identity(image: ImageRecord) -> str:
    """What makes two image records one film: their pixel content when known, else their key (path)."""
    return image.content_hash or f"path:{image.key}"

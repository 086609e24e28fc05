"""A reading session: one review store and the open documents, one per film, with their undo stacks.

Qt-free. A film's :class:`ReviewDocument` and :class:`CommandStack` live as long as the
session, so going back to a film keeps its undo history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from mammoviewer.errors import StoreError
from mammoviewer.io.image import Image
from mammoviewer.review.commands import CommandStack
from mammoviewer.review.document import ReviewDocument
from mammoviewer.review.identity import content_hash, identified
from mammoviewer.review.keys import image_key
from mammoviewer.review.records import Box, Finding, ImageRecord
from mammoviewer.review.store import ReviewStore


@dataclass
class FilmReview:
    """One film under review: its document and undo stack."""

    doc: ReviewDocument
    stack: CommandStack


def findings_from_detections(key: str, detections: Iterable[Any]) -> list[Finding]:
    """Detector output (``box``, ``label``, ``score``) as model findings of image ``key``."""
    return [Finding(image_key=key, box=Box.of(d.box), label=d.label, score=float(d.score), source="model")
            for d in detections]


class ReviewSession:
    """The store of one window and the films opened in it."""

    def __init__(self, store: ReviewStore) -> None:
        self.store = store
        self.films: dict[str, FilmReview] = {}

    @property
    def path(self) -> Path:
        return self.store.path

    def close(self) -> None:
        self.films.clear()
        self.store.close()

    def film(self, key: str) -> FilmReview | None:
        return self.films.get(key)

    def open_film(self, image: Image) -> FilmReview:
        """The review of ``image`` (added to the store if new; stored details kept if known)."""
        key = image_key(image.path)
        known = self.films.get(key)
        if known is not None:
            known.doc.reload()
            return known
        self.ensure_image(image)
        doc = ReviewDocument.open(self.store, key)
        film = self.films[key] = FilmReview(doc, CommandStack(doc))
        return film

    def ensure_image(self, image: Image) -> str:
        """Add ``image`` to the store if it is new (a known film keeps its stored details, and gets its
        content hash and modality if it has none yet); its key."""
        key = image_key(image.path)
        body = str(image.metadata.get("BodyPartExamined") or "").strip() or None
        try:
            known = self.store.image(key)
        except StoreError:
            spacing = image.pixel_spacing_mm[1] if image.pixel_spacing_mm else None
            self.store.add_image(identified(ImageRecord(key=key, width=image.columns, height=image.rows,
                                                        pixel_spacing_mm=spacing),
                                            (content_hash(image.pixels), image.modality, body)))  # fmt: skip
            return key
        if known.content_hash is None and not self.store.read_only:
            self.store.add_image(identified(known, (content_hash(image.pixels), image.modality, body)))
        return key

    def has_model_run(self, key: str, name: str, version: str) -> bool:
        """True if ``key`` already has findings of this model version (never re-detect over edits)."""
        return any(r["model_name"] == name and r["model_version"] == version for r in self.store.model_runs(key))

    def store_detections(self, key: str, detector: Any, detections: Iterable[Any], floor: float,
                         image: Image | None = None) -> None:
        """Store a model run on ``key`` (added from ``image`` if new). Safe on a worker thread;
        open documents are not touched: call :meth:`reload` on the UI thread afterwards."""
        if image is not None:
            self.ensure_image(image)
        found = findings_from_detections(key, detections)
        self.store.record_model_findings(key, str(detector.name), str(detector.version), found, threshold=floor)

    def reload(self, key: str) -> None:
        """Re-read an open film from the store (after a model run was stored)."""
        film = self.films.get(key)
        if film is not None:
            film.doc.reload()

    def review_states(self) -> dict[str, str]:
        """Review state of every film in the store, by key."""
        return {r.key: r.review_state for r in self.store.images()}

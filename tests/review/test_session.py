"""ReviewSession: films join the store once, documents and undo stacks live as long as the session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mammoviewer.io.image import Image
from mammoviewer.review import ReviewStore, SetStatus
from mammoviewer.review.session import ReviewSession, findings_from_detections


@dataclass
class _Det:
    box: tuple[float, float, float, float]
    label: str
    score: float


@dataclass
class _Model:
    name: str = "idbll-test"
    version: str = "9"


def _image(path: Path) -> Image:
    return Image(path=str(path), pixels=np.zeros((40, 60), np.uint16), bits_stored=12, photometric="MONOCHROME2",
                 format="pgm", pixel_spacing_mm=(0.1, 0.1))


def test_open_film_adds_the_image_once_and_keeps_its_undo_history(tmp_path: Path) -> None:
    session = ReviewSession(ReviewStore.open(tmp_path / "s.sqlite"))
    img = _image(tmp_path / "a.pgm")
    film = session.open_film(img)
    rec = session.store.image(film.doc.key)
    assert (rec.width, rec.height, rec.pixel_spacing_mm) == (60, 40, 0.1)
    session.store_detections(film.doc.key, _Model(), [_Det((1, 2, 11, 12), "benign", 0.4)], floor=0.05)
    session.reload(film.doc.key)
    assert session.has_model_run(film.doc.key, "idbll-test", "9")
    assert not session.has_model_run(film.doc.key, "idbll-test", "10")
    fid = film.doc.findings[0].id
    film.stack.push(SetStatus(fid, "accepted"))
    again = session.open_film(img)
    assert again is film and again.stack.can_undo
    assert session.review_states() == {film.doc.key: "unreviewed"}
    session.close()


def test_detections_become_pending_model_findings() -> None:
    fs = findings_from_detections("/k.pgm", [_Det((1, 2, 3, 4), "malignant", 0.7)])
    assert [(f.image_key, f.box.as_tuple(), f.label, f.score, f.source, f.status) for f in fs] == [
        ("/k.pgm", (1, 2, 3, 4), "malignant", 0.7, "model", "pending")
    ]


def test_a_film_joins_the_store_named_by_its_pixels_and_modality(tmp_path: Path) -> None:
    from mammoviewer.review.identity import content_hash

    session = ReviewSession(ReviewStore.open(tmp_path / "s.sqlite"))
    img = _image(tmp_path / "a.pgm")
    img.modality = "MG"
    key = session.ensure_image(img)
    rec = session.store.image(key)
    assert (rec.content_hash, rec.modality) == (content_hash(img.pixels), "MG")
    # a film stored before films were named by their pixels gets its name when it is next opened
    session.store.add_image(rec.replace(key=str(tmp_path / "b.png"), content_hash=None, modality=None))
    session.ensure_image(_image(tmp_path / "b.png"))
    assert session.store.image(str(tmp_path / "b.png")).content_hash == rec.content_hash
    session.close()

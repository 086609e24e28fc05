"""MIAS films with their case label, the patient-level split, and the cache of prepared films."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mammoviewer.classify.metrics import CLASSES
from mammoviewer.errors import DetectorError, ImageReadError
from mammoviewer.geometry.mias import mias_y_to_row
from mammoviewer.io import mias

RANK = {name: i for i, name in enumerate(CLASSES)}


@dataclass(frozen=True, slots=True)
class CaseFilm:
    """A film and its case label: the worst finding on it ("normal", "benign" or "malignant")."""

    ref: str
    patient: int
    path: str
    label: str
    #: located findings as (column, row, radius, class index) in the original film's pixels
    lesions: tuple[tuple[float, float, float, int], ...] = ()
    unlocated: bool = False  # a finding without coordinates (its tissue cannot be called normal)

    @property
    def label_index(self) -> int:
        return RANK[self.label]


def film_path(images_dir: Path, ref: str) -> Path | None:
    """``ref``.png, ``ref``.pgm or pgm/``ref``.pgm inside ``images_dir``, whichever exists first."""
    for cand in (images_dir / f"{ref}.png", images_dir / f"{ref}.pgm", images_dir / "pgm" / f"{ref}.pgm"):
        if cand.is_file():
            return cand
    return None


def case_films(images_dir: str | Path, info_path: str | Path, ids: list[str] | None = None) -> list[CaseFilm]:
    """Films listed in ``info_path`` that have an image in ``images_dir`` (only ``ids`` if given)."""
    images_dir = Path(images_dir)
    if not images_dir.is_dir():
        raise ImageReadError(images_dir, "MIAS image folder not found")
    wanted = set(ids) if ids is not None else None
    out = []
    for ref, rows in mias.films(mias.read_info(info_path)).items():
        if wanted is not None and ref not in wanted:
            continue
        path = film_path(images_dir, ref)
        if path is None:
            continue
        label = max((r.label or "normal" for r in rows), key=RANK.__getitem__)
        lesions = tuple(
            (float(r.x), mias_y_to_row(r.y), float(r.radius), RANK[r.label])  # type: ignore[arg-type]
            for r in rows if r.label and r.located
        )
        unlocated = any(r.label and not r.located for r in rows)
        out.append(CaseFilm(ref, mias.patient_of(ref), str(path), label, lesions, unlocated))
    if not out:
        raise DetectorError(f"{images_dir}: none of the films listed in {info_path} were found there")
    return out


def make_split(films: list[CaseFilm], folds: int = 5, seed: int = 0) -> dict:
    """Patient-level folds stratified by each patient's worst label (sorted patients, seeded shuffle).

    Same scheme as the detector's split, so with the same films and seed the folds are identical.
    """
    return mias.patient_folds(((f.patient, f.ref, f.label) for f in films), folds, seed)


def load_split(path: str | Path) -> dict:
    """A split file (``{"folds": [{"films": [...]}, ...]}``); ``DetectorError`` if unreadable."""
    try:
        split = json.loads(Path(path).read_text())
        [list(f["films"]) for f in split["folds"]]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise DetectorError(f"{path}: not a readable split file ({exc})") from exc
    return split


def save_split(split: dict, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(split, indent=1) + "\n")


def load_prepared(
    films: list[CaseFilm], cache_dir: str | Path | None, pixel_mm: float, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(``[N, size, size]`` float32 inputs, flipped flags, scales) of ``films`` via ``preprocess.prepare``.

    Cached as a uint8 .npz under ``cache_dir`` (keyed by the settings and the film paths).
    """
    from mammoviewer.classify.preprocess import prepare
    from mammoviewer.io import load_image

    key = hashlib.sha1(
        json.dumps(["v2", pixel_mm, size, [(f.ref, f.path) for f in films]]).encode()
    ).hexdigest()[:12]
    cache = Path(cache_dir) / f"films-{pixel_mm}mm-{size}-{key}.npz" if cache_dir else None
    if cache is not None and cache.is_file():
        z = np.load(cache)
        return z["x"].astype(np.float32) / 255.0, z["flipped"], z["scale"]
    prepared = [prepare(load_image(f.path), pixel_mm, size) for f in films]
    q = np.round(np.stack([p.pixels for p in prepared]) * 255.0).astype(np.uint8)
    flipped = np.array([p.flipped for p in prepared])
    scale = np.array([p.scale for p in prepared])
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache, x=q, flipped=flipped, scale=scale, refs=np.array([f.ref for f in films]))
    return q.astype(np.float32) / 255.0, flipped, scale

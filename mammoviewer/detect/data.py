"""MIAS training data: films with their lesion boxes, the patient split, and the resampled-film cache."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mammoviewer.errors import DetectorError, ImageReadError
from mammoviewer.io import mias

LABELS = ("benign", "malignant")  # class ids 1 and 2; 0 is background
SEVERITY_RANK = mias.SEVERITY_RANK


@dataclass(frozen=True, slots=True)
class Lesion:
    """A located finding: the square around its circle (original frame), label and MIAS class."""

    box: tuple[float, float, float, float]
    label: str
    cls: str

    @property
    def class_id(self) -> int:
        return LABELS.index(self.label) + 1


@dataclass(frozen=True, slots=True)
class Film:
    ref: str
    patient: int
    path: str
    lesions: tuple[Lesion, ...]
    worst: str  # "normal", "benign" or "malignant" (unlocated findings count)


def film_path(images_dir: Path, ref: str) -> Path | None:
    for cand in (images_dir / f"{ref}.png", images_dir / f"{ref}.pgm", images_dir / "pgm" / f"{ref}.pgm"):
        if cand.is_file():
            return cand
    return None


def mias_films(images_dir: str | Path, info: str | Path, require_images: bool = True) -> list[Film]:
    """Every film of ``info`` that has an image in ``images_dir``; each located finding is a lesion."""
    images_dir = Path(images_dir)
    if not images_dir.is_dir():
        raise ImageReadError(images_dir, "MIAS image folder not found")
    out = []
    for ref, rows in mias.films(mias.read_info(info)).items():
        path = film_path(images_dir, ref)
        if path is None:
            if require_images:
                continue
            path = images_dir / f"{ref}.png"
        lesions = tuple(Lesion(r.box(), r.label, r.cls) for r in rows if r.located and r.label)
        worst = max((r.label or "normal" for r in rows), key=SEVERITY_RANK.__getitem__)
        out.append(Film(ref, mias.patient_of(ref), str(path), lesions, worst))
    if not out:
        raise DetectorError(f"{images_dir}: no MIAS films listed in {info} were found there")
    return out


# --- patient split -----------------------------------------------------------------------------

def make_split(films: list[Film], folds: int = 5, seed: int = 0) -> dict:
    """Patient-level folds stratified by each patient's worst finding (normal/benign/malignant)."""
    return mias.patient_folds(((f.patient, f.ref, f.worst) for f in films), folds, seed)


def save_split(split: dict, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(split, indent=1) + "\n")


def load_split(path: str | Path) -> dict:
    try:
        split = json.loads(Path(path).read_text())
        split["folds"][0]["films"]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise DetectorError(f"{path}: not a readable split file ({exc})") from exc
    return split


def fold_refs(split: dict, fold: int | None) -> tuple[set[str], set[str]]:
    """(training refs, validation refs) for ``fold``; ``None`` trains on every fold."""
    folds = split["folds"]
    if fold is not None and not 0 <= fold < len(folds):
        raise DetectorError(f"fold {fold} does not exist (the split has {len(folds)} folds)")
    val = set(folds[fold]["films"]) if fold is not None else set()
    train = {r for k, f in enumerate(folds) if k != fold for r in f["films"]}
    return train, val


# --- cache of films at the model's pixel size ----------------------------------------------------

def _pipeline_tag(inputs: tuple[str, ...] = ("film",)) -> str:
    """Changes when the display pipeline's source changes, so a stale cache is rebuilt."""
    from mammoviewer.detect import preprocess
    from mammoviewer.io import display

    src = Path(display.__file__).read_bytes()
    if tuple(inputs) != ("film",):  # extra planes: their names and parameters are part of the tag
        from mammoviewer.detect import contralateral

        src += f"{','.join(inputs)}:{preprocess.TOPHAT_GAIN}:{preprocess.TOPHAT_DISC_MM}".encode()
        if "contralateral" in inputs:
            src += f":{contralateral.BLUR_MM}:{contralateral.MAX_STRETCH}".encode()
    return hashlib.sha1(src).hexdigest()[:10]


def load_cache(films: list[Film], pixel_mm: float, cache_dir: str | Path, progress=None,
               inputs: tuple[str, ...] = ("film",)) -> dict[str, tuple[np.ndarray, float, float]]:
    """Films rendered by the display pipeline and resampled to ``pixel_mm``, as uint8 (built once).

    Returns ref -> (uint8 image, scale_x, scale_y), scales being model pixels per original pixel;
    the image is [H, W] for a film-only model, else [H, W, C] with the planes of ``inputs``.
    """
    from mammoviewer.detect.preprocess import prepare
    from mammoviewer.io import load_image

    inputs = tuple(inputs)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    planes = "" if inputs == ("film",) else "_" + "+".join(inputs)
    path = cache_dir / f"mias_{pixel_mm:.3f}mm{planes}_{_pipeline_tag(inputs)}.npz"
    cached: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as z:
            cached = {k: z[k] for k in z.files}
    missing = [f for f in films if f.ref not in cached]
    for i, f in enumerate(missing):
        mi = prepare(load_image(f.path), pixel_mm, multiple=1, inputs=inputs)
        arr = mi.array if mi.planes is None else mi.planes
        cached[f.ref] = np.round(arr * 255.0).astype(np.uint8)
        cached[f.ref + "__scale"] = np.array([mi.scale_x, mi.scale_y])
        if progress:
            progress(i + 1, len(missing))
    if missing:
        np.savez(path, **cached)
    return {f.ref: (cached[f.ref], *map(float, cached[f.ref + "__scale"])) for f in films}

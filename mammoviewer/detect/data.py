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
UNKNOWN_KIND = "lesion"  # a lesion whose kind (benign or malignant) the source does not say
UNKNOWN_KIND_ID = 3  # its class id in training targets: it teaches lesion vs background only
SEVERITY_RANK = mias.SEVERITY_RANK


@dataclass(frozen=True, slots=True)
class Lesion:
    """A located finding: the square around its circle (original frame), label and MIAS class."""

    box: tuple[float, float, float, float]
    label: str
    cls: str

    @property
    def class_id(self) -> int:
        return UNKNOWN_KIND_ID if self.label == UNKNOWN_KIND else LABELS.index(self.label) + 1


@dataclass(frozen=True, slots=True)
class Film:
    ref: str
    patient: int | str  # MIAS patient number, or the source's patient id
    path: str
    lesions: tuple[Lesion, ...]
    worst: str  # "normal", "benign", "malignant" or "lesion" (unlocated findings count)
    domain: str = "mias"  # the source the film came from (mias, ddsm, ...)
    view: str | None = None  # CC, MLO, ... when the source says


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


def joint_split(films: list[Film], folds: int = 5, seed: int = 0, base: dict | None = None) -> dict:
    """Patient-level folds across sources: films already in ``base`` keep their fold; the other patients
    of each source are shuffled with ``seed`` (stratified by their worst finding) and dealt round-robin.

    Every film of one patient of one source lands in one fold; patients of two sources never share an id.
    """
    import numpy as np

    if base is not None and len(base["folds"]) != folds:
        raise DetectorError(f"the split to extend has {len(base['folds'])} folds, not {folds}")
    fold_of = {r: k for k, f in enumerate(base["folds"]) for r in f["films"]} if base else {}
    members: list[list[Film]] = [[] for _ in range(folds)]
    rest: dict[str, dict[int | str, list[Film]]] = {}
    for f in films:
        if f.ref in fold_of:
            members[fold_of[f.ref]].append(f)
        else:
            rest.setdefault(f.domain, {}).setdefault(f.patient, []).append(f)
    rng = np.random.default_rng(seed)
    for domain in sorted(rest):
        by_patient = rest[domain]
        rank = {"normal": 0, UNKNOWN_KIND: 1, "benign": 1, "malignant": 2}
        worst = {p: max((f.worst for f in fs), key=rank.__getitem__) for p, fs in by_patient.items()}
        start = 0
        for stratum in ("malignant", "benign", UNKNOWN_KIND, "normal"):
            patients = sorted((p for p, w in worst.items() if w == stratum), key=str)
            order = rng.permutation(len(patients))
            for i, j in enumerate(order):
                members[(start + i) % folds].extend(by_patient[patients[j]])
            start = (start + len(patients)) % folds
    out = []
    for k, fs in enumerate(members):
        patients = sorted({f.patient for f in fs}, key=lambda p: (isinstance(p, str), str(p).zfill(8)))
        out.append({
            "fold": k, "patients": patients, "films": sorted(f.ref for f in fs),
            "domains": {d: sum(f.domain == d for f in fs) for d in sorted({f.domain for f in fs})},
        })
    return {
        "seed": seed,
        "stratified_by": "patient's worst finding, per source; films of the extended split keep their fold",
        "folds": out,
    }


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
    One cache file per source (``domain``).
    """
    inputs = tuple(inputs)
    out: dict[str, tuple[np.ndarray, float, float]] = {}
    domains = sorted({f.domain for f in films})
    total = len(films)
    done = 0
    for domain in domains:
        group = [f for f in films if f.domain == domain]

        def step(i: int, n: int, _done=done) -> None:
            if progress:
                progress(_done + i, total)

        out.update(_load_domain_cache(group, domain, pixel_mm, Path(cache_dir), step, inputs))
        done += len(group)
    return out


def _cache_key(ref: str) -> str:
    return ref.replace("/", "|")


def _load_domain_cache(films: list[Film], domain: str, pixel_mm: float, cache_dir: Path, progress,
                       inputs: tuple[str, ...]) -> dict[str, tuple[np.ndarray, float, float]]:
    from mammoviewer.detect.preprocess import prepare
    from mammoviewer.io import load_image

    cache_dir.mkdir(parents=True, exist_ok=True)
    planes = "" if inputs == ("film",) else "_" + "+".join(inputs)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in domain) or "data"
    path = cache_dir / f"{safe}_{pixel_mm:.3f}mm{planes}_{_pipeline_tag(inputs)}.npz"
    cached: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as z:
            cached = {k: z[k] for k in z.files}
    missing = [f for f in films if _cache_key(f.ref) not in cached]
    for i, f in enumerate(missing):
        mi = prepare(load_image(f.path), pixel_mm, multiple=1, inputs=inputs)
        arr = mi.array if mi.planes is None else mi.planes
        cached[_cache_key(f.ref)] = np.round(arr * 255.0).astype(np.uint8)
        cached[_cache_key(f.ref) + "__scale"] = np.array([mi.scale_x, mi.scale_y])
        if progress:
            progress(i + 1, len(missing))
    if missing:
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **cached)
        tmp.replace(path)
    return {f.ref: (cached[_cache_key(f.ref)], *map(float, cached[_cache_key(f.ref) + "__scale"])) for f in films}

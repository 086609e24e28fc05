"""The contralateral film: the same patient's other breast in the same view, from the same folder.

Readers compare the two breasts; the case score does too when the other film can be found:

* a mini-MIAS film ``mdbNNN`` pairs with ``mdb(NNN+1)`` (odd NNN, right breast) or
  ``mdb(NNN-1)`` (even, left), the database's numbering of a patient's two films;
* a DICOM film pairs with a DICOM file in the same folder of the same patient and study, the other
  laterality and the same view, as ``studies.films`` reads them from the headers (so CBIS-DDSM's
  per-view "patients" pair within their exam).

Only headers are read here; the caller loads the film found.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image
from mammoviewer.io.pairing import mias_partner
from mammoviewer.studies.films import Film, read_film

#: the most files of a folder whose DICOM headers are read while looking for the other breast
MAX_FOLDER_FILES = 400
_OTHER_SIDE = {"L": "R", "R": "L"}


def contralateral_path(image: Image) -> Path | None:
    """The file of the other breast's film for ``image`` (loaded with ``load_image``), or None."""
    path = Path(image.path)
    if image.metadata.get("source") == "mini-MIAS film":
        return _mias_partner(path)
    if image.format == "dicom":
        return _dicom_partner(image, path)
    return None


def _mias_partner(path: Path) -> Path | None:
    stem = mias_partner(path.stem)
    if stem is None:
        return None
    candidates = [path.with_name(stem + path.suffix)]
    candidates += [path.with_name(stem + s) for s in (".pgm", ".png", ".PGM", ".PNG") if s != path.suffix]
    return next((c for c in candidates if c.is_file()), None)


def _dicom_partner(image: Image, path: Path) -> Path | None:
    index = _folder_index(path.parent)
    own = next((f for p, f in index if p == path), None)
    if own is None:
        try:
            own = read_film(path, "dicom")
        except ImageReadError:
            return None
    side = _OTHER_SIDE.get(own.laterality or "")
    if side is None or (own.source == "dicom" and not image.metadata.get("PatientID")):
        return None
    for candidate, film in index:
        if candidate != path and (film.patient, film.study, film.laterality) == (own.patient, own.study, side) and (
                not own.view or not film.view or film.view == own.view):
            return candidate
    return None


def _folder_index(folder: Path) -> tuple[tuple[Path, Film], ...]:
    """The DICOM films among the first :data:`MAX_FOLDER_FILES` files of ``folder`` (by name), header
    by header; kept while no file is added, removed or rewritten, so a batch over one folder reads each
    header once instead of once per film."""
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file())[:MAX_FOLDER_FILES]
        stamp = tuple((p.name, st.st_size, st.st_mtime_ns) for p in files for st in (p.stat(),))
    except OSError:
        return ()
    return _read_index(str(folder), stamp)


@lru_cache(maxsize=16)
def _read_index(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> tuple[tuple[Path, Film], ...]:
    out = []
    for name, _, _ in stamp:
        candidate = Path(folder) / name
        if not _is_dicom(candidate):
            continue
        try:
            out.append((candidate, read_film(candidate, "dicom")))
        except ImageReadError:
            continue
    return tuple(out)


def _is_dicom(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(132)[128:132] == b"DICM"
    except OSError:
        return False

"""The contralateral film: the same patient's other breast in the same view, from the same folder.

Readers compare the two breasts; the case score does too when the other film can be found:

* a mini-MIAS film ``mdbNNN`` pairs with ``mdb(NNN+1)`` (odd NNN, right breast) or
  ``mdb(NNN-1)`` (even, left), the database's numbering of a patient's two films;
* a DICOM film pairs with a DICOM file in the same folder that has the same PatientID (and
  StudyInstanceUID when both have one), the other ImageLaterality and the same view.

Only headers are read here; the caller loads the film found.
"""

from __future__ import annotations

import re
from pathlib import Path

from mammoviewer.io.image import Image

_MIAS_STEM = re.compile(r"^(mdb)(\d{3})$", re.IGNORECASE)
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


def mias_partner(stem: str) -> str | None:
    """The other film of a mini-MIAS patient (``mdb001`` <-> ``mdb002``), None for a name not like ``mdbNNN``."""
    m = _MIAS_STEM.match(stem)
    if m is None:
        return None
    number = int(m.group(2))
    other = number + 1 if number % 2 else number - 1
    return f"{m.group(1)}{other:03d}" if other >= 1 else None


def _mias_partner(path: Path) -> Path | None:
    stem = mias_partner(path.stem)
    if stem is None:
        return None
    candidates = [path.with_name(stem + path.suffix)]
    candidates += [path.with_name(stem + s) for s in (".pgm", ".png", ".PGM", ".PNG") if s != path.suffix]
    return next((c for c in candidates if c.is_file()), None)


def _dicom_partner(image: Image, path: Path) -> Path | None:
    side = _OTHER_SIDE.get((image.laterality or "").upper())
    patient = image.metadata.get("PatientID")
    if side is None or not patient:
        return None
    study = image.metadata.get("StudyInstanceUID")
    try:
        files = sorted(p for p in path.parent.iterdir() if p.is_file() and p != path)
    except OSError:
        return None
    for candidate in files[:MAX_FOLDER_FILES]:
        header = _header(candidate)
        if header is None or str(header.get("PatientID", "")) != patient:
            continue
        if study and header.get("StudyInstanceUID") and str(header.StudyInstanceUID) != study:
            continue
        laterality = str(header.get("ImageLaterality") or header.get("Laterality") or "").upper()
        view = str(header.get("ViewPosition") or "")
        if laterality == side and (not image.view or not view or view == image.view):
            return candidate
    return None


def _header(path: Path):
    """The header of a DICOM file (no pixels), or None for anything else."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        with path.open("rb") as fh:
            head = fh.read(132)
        if head[128:132] != b"DICM":
            return None
        return pydicom.dcmread(path, stop_before_pixels=True,
                               specific_tags=["PatientID", "StudyInstanceUID", "ImageLaterality",
                                              "Laterality", "ViewPosition"])
    except (OSError, InvalidDicomError, ValueError, EOFError, KeyError, TypeError):
        return None

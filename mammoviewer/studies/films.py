"""One film's place in a study, from its header only: patient, study, date, laterality, view.

Three sources are known:

* DICOM: PatientID, StudyInstanceUID, StudyDate, ImageLaterality/Laterality, ViewPosition or the
  View Code Sequence, PatientOrientation (read with ``stop_before_pixels``);
* CBIS-DDSM, whose every view is its own DICOM "patient" and study
  (PatientID ``Mass-Test_P_00173_LEFT_CC``): the name gives patient ``P_00173``, side and view, and
  the exam is ``Mass-Test_P_00173`` (its four films share it);
* mini-MIAS ``mdbNNN`` films (PGM or PNG): a patient's two films are mdb(2k-1) (right) and mdb(2k)
  (left), both MLO (``io.pairing.mias_partner``); the study is named after the pair.

Any other image is a study of its own, with no laterality or view unless its header says so.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mammoviewer.errors import ImageReadError
from mammoviewer.io import views
from mammoviewer.io.pairing import mias_partner
from mammoviewer.io.sniff import SNIFF_BYTES, sniff_format

#: CBIS-DDSM's per-view PatientID (and folder name): collection, split, patient, side, view
CBIS_NAME = re.compile(
    r"^(?P<collection>Calc|Mass)-(?P<split>Training|Test)_(?P<patient>P_\d{5})_"
    r"(?P<side>LEFT|RIGHT)_(?P<view>CC|MLO)(?:_\d+)?$", re.IGNORECASE)
_MIAS_NAME = re.compile(r"^mdb(\d{3})$", re.IGNORECASE)
_TAGS = ["PatientID", "PatientName", "StudyInstanceUID", "StudyDate", "AccessionNumber", "Modality",
         "ImageLaterality", "Laterality", "ViewPosition", "ViewCodeSequence", "PatientOrientation",
         "SOPInstanceUID"]


@dataclass(frozen=True, slots=True)
class Film:
    """A film as the hanging protocols see it (no pixels)."""

    path: str
    patient: str
    study: str
    date: str | None = None  # ISO YYYY-MM-DD
    laterality: str | None = None  # "R" or "L"
    view: str | None = None  # "CC", "MLO", ...
    orientation: tuple[str, str] | None = None  # PatientOrientation: row and column directions
    source: str = "file"  # "dicom", "cbis-ddsm", "mini-mias" or "file"

    @property
    def label(self) -> str:
        """``RCC``, ``LMLO`` ..., ``?`` for what is unknown."""
        return f"{self.laterality or '?'}{self.view or '?'}"


def image_kind(path: Path) -> str | None:
    """The file's image format by content (``dicom``, ``pgm``, ``png``, ``tiff``), None if not an image."""
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise ImageReadError(path, f"cannot read file ({exc.strerror or exc})") from exc
    return sniff_format(head) if head else None


def read_film(path: str | Path, kind: str | None = None) -> Film:
    """The :class:`Film` of one image file; ``ImageReadError`` for a broken or non-image file."""
    path = Path(path)
    if not path.is_file():
        raise ImageReadError(path, "no such file" if not path.exists() else "not a file")
    kind = kind or image_kind(path)
    if kind is None:
        raise ImageReadError(path, "not an image (not DICOM, PGM, PNG or TIFF by content)")
    if kind == "dicom":
        return _dicom_film(path, _read_header(path))
    m = _MIAS_NAME.match(path.stem)
    if m and kind in ("pgm", "png"):
        return _mias_film(path, int(m.group(1)))
    return Film(path=str(path), patient=path.stem, study=path.stem)


def _read_header(path: Path) -> Any:
    import pydicom
    from pydicom.errors import InvalidDicomError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True, specific_tags=_TAGS)
        except InvalidDicomError as exc:
            raise ImageReadError(path, f"not a readable DICOM file ({exc})") from exc
        except RecursionError as exc:
            raise ImageReadError(path, "DICOM file nests sequences too deeply") from exc
        except Exception as exc:  # noqa: BLE001 - any parse failure of a broken header is a read error
            raise ImageReadError(path, f"unreadable DICOM header ({type(exc).__name__}: {exc})") from exc
    if len(ds) == 0:
        raise ImageReadError(path, "truncated or corrupt DICOM file (no data elements)")
    return ds


def _text(ds: Any, tag: str) -> str:
    try:
        value = ds.get(tag)
    except Exception:  # noqa: BLE001 - a malformed element reads as absent
        return ""
    return str(value).strip() if value not in (None, "") else ""


def _dicom_film(path: Path, ds: Any) -> Film:
    patient = _text(ds, "PatientID") or _text(ds, "PatientName")
    side, view = views.laterality_of(ds), views.view_of(ds)
    try:
        orientation = views.orientation(ds.get("PatientOrientation"))
    except Exception:  # noqa: BLE001
        orientation = None
    date = views.study_date(_text(ds, "StudyDate"))
    cbis = CBIS_NAME.match(patient) or next(
        (m for m in (CBIS_NAME.match(p) for p in reversed(path.parts[:-1])) if m), None)
    if cbis is not None:
        return Film(
            path=str(path), patient=cbis["patient"].upper(),
            study=f"{cbis['collection'].title()}-{cbis['split'].title()}_{cbis['patient'].upper()}",
            date=date, laterality=side or cbis["side"][0].upper(), view=view or cbis["view"].upper(),
            orientation=orientation, source="cbis-ddsm",
        )
    study = _text(ds, "StudyInstanceUID") or _text(ds, "AccessionNumber")
    if not patient:
        patient = path.parent.name or path.stem
    if not study:
        study = f"{patient} {date}" if date else f"{patient} ({path.parent})"
    return Film(path=str(path), patient=patient, study=study, date=date, laterality=side, view=view,
                orientation=orientation, source="dicom")


def _mias_film(path: Path, number: int) -> Film:
    partner = mias_partner(path.stem)
    first = min(path.stem.lower(), (partner or path.stem).lower())
    pair = f"{first}+{mias_partner(first) or first}" if partner else first
    return Film(path=str(path), patient=f"mias-{(number + 1) // 2:03d}", study=pair,
                laterality="R" if number % 2 else "L", view="MLO", source="mini-mias")

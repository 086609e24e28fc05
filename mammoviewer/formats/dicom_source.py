"""Headers of the DICOM images behind store keys: what the DICOM writers copy and reference."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from mammoviewer.errors import ExportError
from mammoviewer.io.sniff import sniff_format

#: Attributes a derived object (SR, presentation state) needs from its image.
REQUIRED = ("SOPClassUID", "SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "Rows", "Columns")


def is_dicom(path: str | Path) -> bool:
    """True if the file at ``path`` looks like DICOM (by content, not by name)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return False
    return sniff_format(head) == "dicom"


def read_header(path: str | Path) -> Any:
    """The image's dataset without its pixel data; ExportError naming the file if unusable."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    except FileNotFoundError:
        raise ExportError(f"{path}: image file not found") from None
    except (InvalidDicomError, OSError, EOFError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ExportError(f"{path}: not a readable DICOM file ({exc})") from exc
    missing = [k for k in REQUIRED if not ds.get(k)]
    if missing:
        raise ExportError(f"{path}: DICOM image lacks {', '.join(missing)}; cannot reference it")
    for keyword in ("PatientID", "PatientName", "PatientBirthDate", "PatientSex", "AccessionNumber",
                    "StudyID", "StudyDate", "StudyTime", "ReferringPhysicianName"):  # fmt: skip
        if keyword not in ds:  # type 2 in the image, required (possibly empty) by the writers
            setattr(ds, keyword, None)
    return ds

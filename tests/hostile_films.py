"""Small DICOM films with hostile Window Center/Width values, written with pydicom (shared by the display,
pane and fuzz tests)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
from study_writer import write_film

#: (centre, width, VOI LUT Function) the audit found to crash the viewer, and other unusable ones
HOSTILE = [("1e308", "1e-308", "LINEAR"), ("1e308", "1e-308", "LINEAR_EXACT"), ("1e308", "1e-308", "SIGMOID"),
           ("-1e308", "1e308", "SIGMOID"), ("-1e308", "1e308", "LINEAR"), ("2048", "0", "LINEAR"),
           ("2048", "-5", "SIGMOID"), ("nan", "100", "LINEAR"), ("2048", "inf", "LINEAR"), ("abc", "100", "LINEAR")]


def ramp(rows: int = 64, columns: int = 64, top: int = 4000) -> np.ndarray:
    """A 16-bit ramp 0..``top``, brighter to the right."""
    return (np.arange(rows * columns, dtype=np.int64).reshape(rows, columns) * top // max(rows * columns - 1, 1)) \
        .astype(np.uint16)


def write_windowed(path: Path, centre: str, width: str, function: str = "LINEAR", *,
                   pixels: np.ndarray | None = None, laterality: str = "R", study_uid: str = "1.2.3",
                   edit: Callable[[Any], None] | None = None) -> Path:
    """An MG film (default: a 64x64 12-bit ramp) with the given window values exactly as written
    (values that are no number are patched into the bytes, which pydicom will not write); ``edit``
    changes the dataset before it is written."""
    import pydicom

    write_film(path, ramp() if pixels is None else pixels, patient="P", study_uid=study_uid, date="20200101",
               laterality=laterality, view="CC")
    ds = pydicom.dcmread(path)
    centre, width = centre.ljust(2), width.ljust(2)
    numbers = all(_number(v) for v in (*centre.split("\\"), *width.split("\\")))
    # stand-ins of the same lengths, found nowhere else in the file ("+" is in no UID)
    stand_ins = ("+" + "7" * (len(centre) - 1), "+" + "8" * (len(width) - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns that "nan" and "inf" are no DS; it writes them
        ds.WindowCenter, ds.WindowWidth = (centre, width) if numbers else stand_ins
        ds.VOILUTFunction = function
        if edit is not None:
            edit(ds)
        ds.save_as(path)
    if not numbers:
        data = path.read_bytes().replace(stand_ins[0].encode(), centre.encode(), 1)
        path.write_bytes(data.replace(stand_ins[1].encode(), width.encode(), 1))
    return path


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

"""Reader for the MIAS ``Info.txt`` ground truth.

MIAS gives each finding's centre (x, y) with the origin at the BOTTOM-left of the
1024x1024 film, and a radius; the convention is written once, in :mod:`mammoviewer.geometry.mias`.
A finding's box is the square around its circle in the project's top-left frame.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from mammoviewer.errors import ImageReadError
from mammoviewer.geometry.mias import MIAS_PIXEL_MM, MIAS_SIZE, mias_to_xyxy, mias_y_to_row

#: where the MIAS films live by default: ``shared/data/mias`` beside the project root
DEFAULT_MIAS_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "mias"
CLASSES = ("CALC", "CIRC", "SPIC", "MISC", "ARCH", "ASYM", "NORM")
FINDING_TYPES = {  # MIAS class -> the project's finding type
    "CALC": "calcification",
    "CIRC": "mass",
    "SPIC": "mass",
    "MISC": "mass",
    "ARCH": "architectural distortion",
    "ASYM": "asymmetry",
}
_REF = re.compile(r"^mdb(\d{3})$")


@dataclass(frozen=True, slots=True)
class MiasFinding:
    """One row of Info.txt. ``x``/``y``/``radius`` are None where MIAS gives no location."""

    ref: str
    tissue: str
    cls: str
    severity: str | None = None  # "B" or "M"; None for NORM
    x: float | None = None  # MIAS x (column)
    y: float | None = None  # MIAS y, counted from the bottom
    radius: float | None = None

    @property
    def label(self) -> str | None:
        """``"benign"``, ``"malignant"`` or None (normal)."""
        return {"B": "benign", "M": "malignant"}.get(self.severity or "")

    @property
    def located(self) -> bool:
        return self.x is not None and self.y is not None and self.radius is not None

    @property
    def finding_type(self) -> str | None:
        return FINDING_TYPES.get(self.cls)

    def center_rc(self, height: int = MIAS_SIZE) -> tuple[float, float] | None:
        """Centre as (row, column) with the origin at the top-left."""
        if not self.located:
            return None
        return (mias_y_to_row(self.y, height), float(self.x))  # type: ignore[arg-type]

    def box(self, height: int = MIAS_SIZE) -> tuple[float, float, float, float] | None:
        """Square around the circle, ``[x0, y0, x1, y1]``, top-left origin; None if unlocated."""
        if not self.located:
            return None
        x0, y0, x1, y1 = mias_to_xyxy((self.x, self.y, self.radius), height).tolist()
        return (x0, y0, x1, y1)


def patient_of(ref: str) -> int:
    """Patient number of a film: mdb(2k-1) and mdb(2k) are patient k."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"not a MIAS reference: {ref!r}")
    return (int(m.group(1)) + 1) // 2


def _parse_row(line: str, path: Path, lineno: int) -> MiasFinding:
    parts = line.split()
    if len(parts) < 3 or not _REF.match(parts[0]):
        raise ImageReadError(path, f"line {lineno}: not a MIAS row: {line.strip()!r}")
    ref, tissue, cls = parts[0], parts[1], parts[2]
    if cls not in CLASSES:
        raise ImageReadError(path, f"line {lineno}: unknown MIAS class {cls!r}")
    severity = parts[3] if len(parts) > 3 and parts[3] in ("B", "M") else None
    x = y = radius = None
    if len(parts) >= 7:
        try:
            x, y, radius = float(parts[4]), float(parts[5]), float(parts[6])
        except ValueError:
            x = y = radius = None  # e.g. "*NOTE 3*": widely distributed, no location
        else:
            _check_location(parts[4:7], path, lineno)
    return MiasFinding(ref, tissue, cls, severity, x, y, radius)


#: the largest x, y or radius a row may give, in pixels (films are at most 65536 pixels a side)
MAX_LOCATION = float(1 << 20)


def _check_location(fields: list[str], path: Path, lineno: int) -> None:
    """A located row's x and y must be finite and its radius a positive number, all within
    :data:`MAX_LOCATION`, and the circle must keep an extent once placed (``x - r < x + r``)."""
    values = {}
    for name, text in zip(("x", "y", "radius"), fields):
        value = values[name] = float(text)
        if not math.isfinite(value) or abs(value) > MAX_LOCATION or (name == "radius" and value <= 0):
            need = f"a positive number up to {MAX_LOCATION:.0f}" if name == "radius" else \
                f"a finite number within ±{MAX_LOCATION:.0f}"
            raise ImageReadError(path, f"line {lineno}: {name} {text[:30]!r} is not {need}")
    x, y, r = values["x"], values["y"], values["radius"]
    if not (x - r < x + r and y - r < y + r):
        raise ImageReadError(path, f"line {lineno}: radius {fields[2][:30]!r} is too small to mark an area")


def read_info(path: str | Path) -> list[MiasFinding]:
    """All rows of a MIAS Info.txt (normal films included), in file order.

    Only lines starting with ``mdb`` are rows; the preamble and CRLF endings are ignored.
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # a folder, or a named pipe that would be waited on for ever
        raise ImageReadError(path, "is not a regular file; give the MIAS Info.txt")
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise ImageReadError(path, f"cannot read MIAS info file ({exc.strerror or exc})") from exc
    rows = [
        _parse_row(line, path, n)
        for n, line in enumerate(text.splitlines(), start=1)
        if line.startswith("mdb")
    ]
    if not rows:
        raise ImageReadError(path, "no MIAS rows (lines starting with 'mdb') found")
    return rows


def films(findings: list[MiasFinding]) -> dict[str, list[MiasFinding]]:
    """Group rows by film reference, keeping file order."""
    out: dict[str, list[MiasFinding]] = {}
    for f in findings:
        out.setdefault(f.ref, []).append(f)
    return out


SEVERITY_RANK = {"normal": 0, "benign": 1, "malignant": 2}


def patient_folds(films: Iterable[tuple[int, str, str]], folds: int = 5, seed: int = 0) -> dict:
    """Patient-level folds stratified by each patient's worst finding.

    ``films`` holds ``(patient, film ref, worst label of the film)`` with labels normal/benign/malignant.
    Patients of each stratum (malignant, benign, normal) are sorted, shuffled with ``seed`` and dealt
    round-robin, so both films of a patient always land in the same fold.
    """
    import numpy as np

    worst: dict[int, str] = {}
    refs: dict[int, list[str]] = {}
    for patient, ref, label in films:
        refs.setdefault(patient, []).append(ref)
        worst[patient] = max(worst.get(patient, "normal"), label, key=SEVERITY_RANK.__getitem__)
    rng = np.random.default_rng(seed)
    buckets: list[list[int]] = [[] for _ in range(folds)]
    start = 0
    for stratum in ("malignant", "benign", "normal"):
        patients = sorted(p for p, w in worst.items() if w == stratum)
        rng.shuffle(patients)
        for i, p in enumerate(patients):
            buckets[(start + i) % folds].append(int(p))
        start = (start + len(patients)) % folds
    return {
        "seed": seed,
        "stratified_by": "patient's worst finding (normal/benign/malignant)",
        "folds": [
            {
                "fold": k,
                "patients": sorted(b),
                "films": sorted(r for p in b for r in refs[p]),
                "counts": {s: sum(worst[p] == s for p in b) for s in ("normal", "benign", "malignant")},
            }
            for k, b in enumerate(buckets)
        ],
    }

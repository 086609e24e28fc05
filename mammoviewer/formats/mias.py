"""MIAS ``Info.txt`` rows: ``REFNUM BG CLASS SEVERITY X Y RADIUS``.

X, Y are the circle centre with the origin at the BOTTOM-left (``Y = H - row``), the
radius is ``max(w, h) / 2``, all rounded to integers (half away from zero) like the
original file. The class column is the finding's original MIAS class when it was
imported from MIAS and its type is unchanged, else derived from the finding type
(mass -> CIRC, calcification -> CALC, architectural distortion -> ARCH,
asymmetry -> ASYM, no type -> MISC). Only a reviewed film with no finding is a ``NORM``
row (films not reviewed are never exported as MIAS). Imported MIAS rows without a location (``*NOTE 3*``, mdb059) are kept in the
image's metadata and written back verbatim. Rejected findings go to a sibling file
``<name>_rejected<suffix>`` (hard negatives), always written so it is never stale.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mammoviewer.errors import ExportError
from mammoviewer.formats.atomic import atomic_files
from mammoviewer.formats.selection import ImageFindings
from mammoviewer.geometry.mias import xyxy_to_mias
from mammoviewer.io.mias import FINDING_TYPES as MIAS_TYPES
from mammoviewer.review.records import Finding

TYPE_TO_CLASS = {
    "mass": "CIRC",
    "calcification": "CALC",
    "architectural distortion": "ARCH",
    "asymmetry": "ASYM",
    None: "MISC",
}
SEVERITY = {"benign": "B", "malignant": "M"}


def mias_class(f: Finding) -> str:
    """The MIAS CLASS column for a finding."""
    cls = f.attributes.get("mias_class")
    if cls and MIAS_TYPES.get(cls) == f.finding_type:
        return str(cls)
    return TYPE_TO_CLASS[f.finding_type]


def _round(v: float) -> int:
    return int(math.floor(abs(v) + 0.5)) * (1 if v >= 0 else -1)


def finding_row(ref: str, tissue: str, f: Finding, height: int) -> str:
    x, y, r = xyxy_to_mias(np.array(f.box.as_tuple()), height)
    if not np.isfinite([x, y, r]).all():
        raise ExportError(f"finding {f.id} on {ref}: box {f.box.as_tuple()} has no finite MIAS circle")
    return f"{ref} {tissue} {mias_class(f)} {SEVERITY[f.label]} {_round(x)} {_round(y)} {_round(r)}"


def _ref_tissue(item: ImageFindings) -> tuple[str, str]:
    meta = item.image.metadata
    ref, tissue = str(meta.get("mias_ref") or Path(item.image.key).stem), str(meta.get("mias_tissue") or "?")
    for what, text in (("reference (its file name)", ref), ("background tissue", tissue)):
        if not _mias_word(text):
            raise ExportError(f"{item.image.key}: its MIAS {what} {text[:40]!r} cannot be written: a MIAS row holds "
                              "one word of Latin-1 characters without spaces; export it as COCO or CSV instead")
    return ref, tissue


def _mias_word(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return bool(text) and len(text.split()) == 1 and text.isprintable()


def rows(items: list[ImageFindings], rejected: bool = False) -> list[str]:
    """The MIAS rows of ``items``: kept findings (+ NORM, unlocated), or only the rejected ones."""
    out: list[str] = []
    for it in items:
        ref, tissue = _ref_tissue(it)
        h = it.image.height
        if rejected:
            out += [finding_row(ref, tissue, f, h) for f in it.rejected]
            continue
        out += [finding_row(ref, tissue, f, h) for f in it.kept]
        unlocated = [str(r) for r in it.image.metadata.get("mias_unlocated_rows", [])]
        out += unlocated
        if it.normal:
            out.append(f"{ref} {tissue} NORM ")  # trailing space as in the original file
    return out


def rejected_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}_rejected{out.suffix}")


def write(items: list[ImageFindings], out: Path) -> list[Path]:
    """Write ``out`` and its ``_rejected`` sibling atomically; returns both paths."""
    targets = [out, rejected_path(out)]
    with atomic_files(targets) as (tmp, tmp_rej):
        for path, lines in ((tmp, rows(items)), (tmp_rej, rows(items, rejected=True))):
            path.write_text("".join(line + "\n" for line in lines), encoding="latin-1")
    return targets

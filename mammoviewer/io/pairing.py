"""mini-MIAS numbering of a patient's two films: ``mdbNNN`` (odd NNN, right breast) pairs with
``mdb(NNN+1)`` (left). The contralateral film of any image is found by ``studies.pairing``."""

from __future__ import annotations

import re

_MIAS_STEM = re.compile(r"^(mdb)(\d{3})$", re.IGNORECASE)


def mias_partner(stem: str) -> str | None:
    """The other film of a mini-MIAS patient (``mdb001`` <-> ``mdb002``), None for a name not like ``mdbNNN``."""
    m = _MIAS_STEM.match(stem)
    if m is None:
        return None
    number = int(m.group(2))
    other = number + 1 if number % 2 else number - 1
    return f"{m.group(1)}{other:03d}" if other >= 1 else None

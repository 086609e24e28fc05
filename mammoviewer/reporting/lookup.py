"""Which study ``mammoviewer report STUDY`` means: a study folder or file, or a study key in the store.

* an existing file or folder: its studies, found as ``mammoviewer studies`` finds them (headers only);
* anything else: a study key as ``mammoviewer studies`` prints it (a StudyInstanceUID, a CBIS-DDSM
  exam such as ``Mass-Test_P_00173``, a mini-MIAS pair ``mdb023+mdb024``), looked up among the films
  of the review store (those still on disk).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from mammoviewer.errors import ExportError, ImageReadError
from mammoviewer.review.store import ReviewStore
from mammoviewer.studies.grouping import Study, find_studies


def store_studies(store: ReviewStore, on_error: Callable[[ImageReadError], None] | None = None) -> list[Study]:
    """The studies of the store's films that are still on disk."""
    paths = [r.key for r in store.images() if Path(r.key).is_file()]
    return find_studies(paths, on_error=on_error or (lambda exc: None)) if paths else []


def resolve(given: Iterable[str], store: ReviewStore,
            on_error: Callable[[ImageReadError], None] | None = None) -> list[Study]:
    """The studies named by ``given`` (paths or study keys), in the order given, each once.

    Raises ExportError naming a key that is neither a file, a folder nor a study of the store.
    """
    out: dict[tuple[str, str], Study] = {}
    known: list[Study] | None = None
    for item in given:
        path = Path(item).expanduser()
        if path.exists():
            found = find_studies([path], on_error=on_error)
            if not found:
                raise ExportError(f"{item}: no images found here")
        else:
            if known is None:
                known = store_studies(store)
            found = [s for s in known if s.study == item]
            if not found:
                raise ExportError(f"{item}: neither a file or folder nor a study of the films in {store.path} "
                                  "(give a study folder, or a study key as 'mammoviewer studies' prints it)")
        for study in found:
            out.setdefault((study.patient, study.study), study)
    return list(out.values())

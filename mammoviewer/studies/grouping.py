"""Films grouped into studies (one exam of one patient), studies ordered, priors found."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from mammoviewer.errors import ImageReadError
from mammoviewer.studies.films import Film, image_kind, read_film

#: the order views are listed in (and hung in when nothing else decides): the screening four first
VIEW_ORDER = ("CC", "MLO", "ML", "LM", "XCCL", "XCCM", "LMO", "FB", "SIO", "AT")
#: file name endings looked at when a folder is scanned (content decides; these only limit the scan)
SCANNED_SUFFIXES = (".dcm", ".dicom", ".pgm", ".png", ".tif", ".tiff", "")


@dataclass(frozen=True, slots=True)
class Study:
    """One exam: a patient's films with one study key, in hanging order (R before L, CC before MLO)."""

    patient: str
    study: str
    date: str | None
    films: tuple[Film, ...]

    def film(self, laterality: str, view: str) -> Film | None:
        """The first film of ``laterality`` (R/L) and ``view`` (CC, MLO ...), or None."""
        return next((f for f in self.films if f.laterality == laterality and f.view == view), None)

    @property
    def views(self) -> tuple[str, ...]:
        """The views present (``CC``, ``MLO`` ...), in hanging order."""
        return tuple(dict.fromkeys(f.view for f in self.films if f.view))

    def as_json(self) -> dict[str, object]:
        """The ``mammoviewer studies --json`` record of this study."""
        return {
            "patient": self.patient, "study": self.study, "date": self.date,
            "views": [{"laterality": f.laterality, "view": f.view, "path": f.path} for f in self.films],
        }


def _film_order(film: Film) -> tuple[int, int, str]:
    view = VIEW_ORDER.index(film.view) if film.view in VIEW_ORDER else len(VIEW_ORDER)
    side = {"R": 0, "L": 1}.get(film.laterality or "", 2)
    return view, side, film.path


def group_studies(films: Iterable[Film]) -> list[Study]:
    """Group by (patient, study); studies sorted by patient, then date (oldest first), then key."""
    groups: dict[tuple[str, str], list[Film]] = {}
    for film in films:
        groups.setdefault((film.patient, film.study), []).append(film)
    studies = []
    for (patient, key), members in groups.items():
        dates = sorted({f.date for f in members if f.date})
        studies.append(Study(patient, key, dates[0] if dates else None, tuple(sorted(members, key=_film_order))))
    return sorted(studies, key=lambda s: (s.patient, s.date or "", s.study))


def prior_of(study: Study, studies: Sequence[Study]) -> Study | None:
    """The most recent study of the same patient dated strictly before ``study`` (None if there is none)."""
    if study.date is None:
        return None
    earlier = [s for s in studies if s.patient == study.patient and s.date and s.date < study.date]
    return max(earlier, key=lambda s: (s.date, s.study)) if earlier else None


def _scan(folder: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / n for n in sorted(names)
                  if not n.startswith(".") and Path(n).suffix.lower() in SCANNED_SUFFIXES]
    return found


def find_studies(
    paths: Iterable[str | os.PathLike[str]], on_error: Callable[[ImageReadError], None] | None = None,
) -> list[Study]:
    """The studies of files and folders (searched recursively), from headers only.

    In a folder, files without a suffix that are not images by content are passed over; a broken
    image, or a file named like an image that is not one, goes to ``on_error`` (raised when it is None) and the others are still read.
    """
    films: list[Film] = []
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        if not given.exists():
            _report(ImageReadError(given, "no such file or folder"), on_error)
            continue
        candidates = _scan(given) if given.is_dir() else [given]
        for path in candidates:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            try:
                kind = image_kind(path)
                if kind is None and given.is_dir() and not path.suffix:
                    continue  # a suffix-less file that is not an image: not ours
                films.append(read_film(path, kind))
            except ImageReadError as exc:
                _report(exc, on_error)
    return group_studies(films)


def _report(exc: ImageReadError, on_error: Callable[[ImageReadError], None] | None) -> None:
    if on_error is None:
        raise exc
    on_error(exc)

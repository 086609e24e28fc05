"""A study's report pre-filled from the review store: the reader's findings and where they lie.

Each finding the reader stands behind (``review.truth.is_truth``: accepted, drawn or imported) on
the study's films becomes a report finding: its side, its place (``geometry.breast_position``, from
the nipple and chest wall found on the film by ``detect.landmarks``), its size (longest box side
times the pixel spacing; unknown without spacing), type, label and the reader's note.

A CC finding and an MLO finding of the same breast are taken for one lesion when they lie at about
the same distance from the nipple (within :data:`PAIR_MM`, or :data:`PAIR_SHARE` of the nipple-chest
wall distance without pixel spacing) and their types do not disagree; such a pair gets a clock
position (the CC view gives lateral/medial, the MLO view superior/inferior). A finding seen on one
view gets the half of the breast that view shows (outer/inner or upper/lower) and its depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from mammoviewer.detect.landmarks import find_landmarks
from mammoviewer.errors import StoreError
from mammoviewer.geometry.breast_position import (
    SHARE_CENTRAL, SHARE_RETROAREOLAR, FilmPosition, Landmarks, clock_hour, depth_of, film_position, quadrant,
    up_sign,
)  # fmt: skip
from mammoviewer.io.image import Image
from mammoviewer.review.keys import image_key
from mammoviewer.review.records import Finding
from mammoviewer.review.report import ReportFinding, StudyReport
from mammoviewer.review.store import ReviewStore
from mammoviewer.review.truth import is_truth
from mammoviewer.studies.films import Film
from mammoviewer.studies.grouping import Study

#: a CC and an MLO finding this close in distance from the nipple (mm) are one lesion
PAIR_MM = 15.0
#: the same, as a share of the nipple-chest wall distance, for films without pixel spacing
PAIR_SHARE = 0.15


@dataclass(frozen=True)
class FilmFacts:
    """One film of the study as the report sees it."""

    film: Film
    key: str
    pixel_mm: float | None
    marks: Landmarks | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class _Seen:
    finding: Finding
    facts: FilmFacts
    pos: FilmPosition | None

    @property
    def size_mm(self) -> float | None:
        px = self.facts.pixel_mm
        return max(self.finding.box.width, self.finding.box.height) * px if px else None


def film_facts(study: Study, store: ReviewStore, images: dict[str, Image]) -> list[FilmFacts]:
    """The study's films with their truth findings, pixel spacing and landmarks (``images`` by film path)."""
    out = []
    for film in study.films:
        key = image_key(film.path)
        try:
            record = store.image(key)
            found = tuple(f for f in store.findings(key) if is_truth(f))
            spacing = record.pixel_spacing_mm
        except StoreError:
            found, spacing = (), None
        image = images.get(film.path)
        if spacing is None and image is not None and image.pixel_spacing_mm:
            spacing = image.pixel_spacing_mm[1]
        marks = find_landmarks(image) if image is not None and found else None
        out.append(FilmFacts(film, key, spacing, marks, found))
    return out


def _position(f: Finding, facts: FilmFacts) -> FilmPosition | None:
    if facts.marks is None:
        return None
    film = facts.film
    sign = up_sign(film.laterality, film.view, film.orientation)
    x0, y0, x1, y1 = f.box.as_tuple()
    return film_position(((x0 + x1) / 2, (y0 + y1) / 2), facts.marks, facts.pixel_mm, film.view, sign)


def _close(a: _Seen, b: _Seen) -> bool:
    if a.finding.finding_type and b.finding.finding_type and a.finding.finding_type != b.finding.finding_type:
        return False
    if a.pos is None or b.pos is None:
        return False
    if a.pos.nipple_mm is not None and b.pos.nipple_mm is not None:
        return abs(a.pos.nipple_mm - b.pos.nipple_mm) <= PAIR_MM
    return abs(a.pos.nipple_share - b.pos.nipple_share) <= PAIR_SHARE


def _gap(a: _Seen, b: _Seen) -> float:
    if a.pos.nipple_mm is not None and b.pos.nipple_mm is not None:  # type: ignore[union-attr]
        return abs(a.pos.nipple_mm - b.pos.nipple_mm) / PAIR_MM  # type: ignore[union-attr,operator]
    return abs(a.pos.nipple_share - b.pos.nipple_share) / PAIR_SHARE  # type: ignore[union-attr]


def pair_views(seen: list[_Seen]) -> list[tuple[_Seen, ...]]:
    """Greedy CC-MLO pairing per breast, closest distance from the nipple first; the rest alone."""
    cc = [s for s in seen if s.pos is not None and s.pos.axis == "lateral"]
    mlo = [s for s in seen if s.pos is not None and s.pos.axis == "superior"]
    pairs = sorted(((_gap(a, b), i, j) for i, a in enumerate(cc) for j, b in enumerate(mlo)
                    if a.facts.film.laterality == b.facts.film.laterality and _close(a, b)))  # fmt: skip
    used_cc: set[int] = set()
    used_mlo: set[int] = set()
    groups: list[tuple[_Seen, ...]] = []
    for _gap_, i, j in pairs:
        if i not in used_cc and j not in used_mlo:
            used_cc.add(i)
            used_mlo.add(j)
            groups.append((cc[i], mlo[j]))
    paired = {id(s) for g in groups for s in g}
    groups += [(s,) for s in seen if id(s) not in paired]
    return groups


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def report_finding(group: tuple[_Seen, ...]) -> ReportFinding:
    """One report finding from one film's finding, or a CC and an MLO finding of one lesion."""
    first = group[0]
    side = first.facts.film.laterality
    positions = [s.pos for s in group if s.pos is not None]
    lateral = next((p for p in positions if p.axis == "lateral"), None)
    superior = next((p for p in positions if p.axis == "superior"), None)
    nipple_mm = _mean(p.nipple_mm for p in positions)
    with_mm = bool(positions) and all(p.nipple_mm is not None for p in positions)
    if with_mm:
        lat = lateral.offset_mm if lateral else None
        sup = superior.offset_mm if superior else None
        quad = quadrant(side, lat, sup, nipple_mm)
    else:
        lat = lateral.offset_share if lateral else None
        sup = superior.offset_share if superior else None
        quad = quadrant(side, lat, sup, _mean(p.nipple_share for p in positions) if positions else None,
                        central=SHARE_CENTRAL, retroareolar=SHARE_RETROAREOLAR)
    clock = clock_hour(side, lat, sup) if side in ("R", "L") and lat is not None and sup is not None else None
    depth_share = _mean(p.depth_share for p in positions)
    sizes = [s.size_mm for s in group if s.size_mm is not None]
    types = [s.finding.finding_type for s in group if s.finding.finding_type]
    labels = [s.finding.label for s in group]
    notes = list(dict.fromkeys(s.finding.note.strip() for s in group if s.finding.note.strip()))
    return ReportFinding(
        id=first.finding.id, laterality=side if side in ("R", "L") else None,
        views=tuple(s.facts.film.view or "?" for s in group), clock=clock,
        quadrant=quad if positions else "", depth=depth_of(depth_share) if depth_share is not None else None,
        nipple_mm=round(nipple_mm, 1) if nipple_mm is not None else None,
        size_mm=round(max(sizes), 1) if sizes else None, finding_type=types[0] if types else None,
        label="malignant" if "malignant" in labels else labels[0], note="; ".join(notes),
        finding_ids=tuple(s.finding.id for s in group), image_keys=tuple(s.facts.key for s in group),
    )  # fmt: skip


def prefill(study: Study, store: ReviewStore, images: dict[str, Image],
            composition: Callable[[list[Image]], str | None] | None = None) -> StudyReport:
    """The report of ``study`` as its films' truth findings give it (nothing stored here).

    ``images``: the loaded films by path (landmarks, spacing); ``composition``: the density hook
    (``reporting.composition.composition_of``), None to leave the composition to the reader.
    """
    facts = film_facts(study, store, images)
    seen = [_Seen(f, ff, _position(f, ff)) for ff in facts for f in ff.findings]
    side_order = {"R": 0, "L": 1}
    groups = sorted(pair_views(seen), key=lambda g: (side_order.get(g[0].facts.film.laterality or "", 2),
                                                     -len(g), g[0].facts.key, g[0].finding.box.y0))  # fmt: skip
    grade = composition(list(images.values())) if composition is not None else None
    return StudyReport(
        study=study.study, patient=study.patient, composition=grade,
        composition_source="model" if grade else "reader", findings=tuple(report_finding(g) for g in groups),
        film_keys=tuple(ff.key for ff in facts),
        key_images=tuple(ff.key for ff in facts if ff.findings) or tuple(ff.key for ff in facts),
    )

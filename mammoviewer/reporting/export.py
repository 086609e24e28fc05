"""Write a study's report from the review store: a PDF with key images and a Comprehensive SR.

The report is the stored one (``review.report_table``), or, for a study the reader has not reported
yet, the pre-filled one (:mod:`.prefill`; not stored). The PDF is painted by a callable the caller
hands in (the GUI layer's ``gui.report.pdf.write_pdf``), so this module stays Qt-free.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from mammoviewer.errors import ExportError, ImageReadError
from mammoviewer.formats.dicom_source import is_dicom, read_header
from mammoviewer.formats.report_sr import build_report_sr
from mammoviewer.io.image import Image
from mammoviewer.review.records import Box
from mammoviewer.review.report import StudyReport
from mammoviewer.review.report_table import ReportTable
from mammoviewer.review.store import ReviewStore
from mammoviewer.reporting.content import Section, narrative, sections
from mammoviewer.reporting.key_images import KeyImage, key_image
from mammoviewer.reporting.prefill import prefill
from mammoviewer.studies.grouping import Study

#: ``painter(path, heading lines, sections, key images)`` writes the PDF
PdfPainter = Callable[[Path, Sequence[str], Sequence[Section], Sequence[KeyImage]], None]


@dataclass(frozen=True)
class ReportFiles:
    """What was written for one study."""

    study: str
    pdf: Path
    sr: Path
    stored: bool  # False: pre-filled, the reader has not reported this study yet


def load_films(study: Study) -> dict[str, Image]:
    """The study's films by path (ImageReadError naming a film that cannot be read)."""
    from mammoviewer.io import load_image

    return {film.path: load_image(film.path) for film in study.films}


def report_of(study: Study, store: ReviewStore, images: dict[str, Image],
              composition: Callable[[list[Image]], str | None] | None = None) -> tuple[StudyReport, bool]:
    """(the stored report of ``study``, True), or (its pre-filled report, False)."""
    stored = ReportTable(store).report(study.study)
    return (stored, True) if stored is not None else (prefill(study, store, images, composition), False)


def finding_boxes(store: ReviewStore, report: StudyReport) -> dict[str, Box]:
    """The current box of each film finding the report names, by finding id (gone ones left out)."""
    out = {}
    for f in report.findings:
        for fid in f.finding_ids:
            found = store.finding(fid)
            if found is not None:
                out[fid] = found.box
    return out


def safe_name(study: str) -> str:
    """A file name stem for a study key."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", study).strip("._") or "study"


def heading(report: StudyReport, study: Study, stored: bool) -> list[str]:
    views = " ".join(f.label for f in study.films)
    return [f"Breast imaging report", f"Patient {study.patient}   Study {study.study}   Date {study.date or '-'}",
            f"Films: {views}" + ("" if stored else "   (pre-filled from the accepted findings; not yet reported)")]


def _write(path: Path, save: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.part")
    try:
        save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write ({exc.strerror or exc})") from exc


def export_study(study: Study, store: ReviewStore, out: Path, painter: PdfPainter, series_uid: str,
                 composition: Callable[[list[Image]], str | None] | None = None,
                 instance_number: int = 1) -> ReportFiles:  # fmt: skip
    """Write ``<study>.report.pdf`` and ``<study>.report.sr.dcm`` into the folder ``out``."""
    images = load_films(study)
    report, stored = report_of(study, store, images, composition)
    boxes = finding_boxes(store, report)
    captions = {str(Path(f.path).expanduser().absolute()): f.label for f in study.films}
    keys = {str(Path(f.path).expanduser().absolute()): f.path for f in study.films}
    shown = [key_image(images[keys[k]], k, captions[k], report, boxes) for k in report.key_images if k in keys]
    headers = {}
    for key in report.film_keys:
        if is_dicom(key):
            try:
                headers[key] = read_header(key)
            except ExportError:
                continue
    stem = safe_name(study.study)
    pdf, sr_path = out / f"{stem}.report.pdf", out / f"{stem}.report.sr.dcm"
    _write(pdf, lambda p: painter(p, heading(report, study, stored), sections(report), shown))
    sr = build_report_sr(report, narrative(report), store.user, headers, boxes, series_uid, instance_number)
    _write(sr_path, lambda p: sr.save_as(p, enforce_file_format=True))
    return ReportFiles(study.study, pdf, sr_path, stored)


__all__ = ["ImageReadError", "ReportFiles", "export_study", "load_films", "report_of"]

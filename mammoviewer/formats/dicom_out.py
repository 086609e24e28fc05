"""Export a review store as DICOM objects: one Mammography CAD SR or GSPS per DICOM image.

``cad-sr`` carries the model's findings as the model reported them (box, label and score
before any reader edit; every one, whatever the reader decided), marked for presentation at
and above the model's operating point: the model's report, not the reader's truth, so it is
written for every mammogram the model ran on (``reviewed_only`` limits it to reviewed films).
``gsps`` draws the reader's truth (see :func:`gsps_findings`) and follows the truth rule of
:mod:`mammoviewer.review.truth`: only films the reader marked reviewed, one film once. Neither
is written for an image that is not a mammogram (Modality other than MG). Images that are not
DICOM (PGM, PNG) cannot be referenced; each image left out gets one line; the objects go into
a new folder written atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from mammoviewer.errors import ExportError
from mammoviewer.formats.atomic import atomic_folder
from mammoviewer.formats.cad_sr import Algorithm, algorithm_key, build_cad_sr
from mammoviewer.formats.dicom_source import is_dicom, read_header
from mammoviewer.formats.gsps import build_gsps
from mammoviewer.review.records import Finding
from mammoviewer.review.store import ReviewStore
from mammoviewer.formats.selection import ImageFindings, check_one_truth_per_film
from mammoviewer.review.identity import identified, identify_file
from mammoviewer.review.records import ImageRecord
from mammoviewer.review.truth import REVIEWED, is_pending, is_truth, not_mammography_reason

DICOM_FORMATS = ("cad-sr", "gsps")
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"


@dataclass
class DicomExportSummary:
    """What a DICOM export wrote, and the one-line reason for each image it did not."""

    format: str
    out: Path
    paths: list[Path] = field(default_factory=list)
    findings: int = 0
    skipped: list[str] = field(default_factory=list)  # not DICOM, or nothing to write
    failed: list[str] = field(default_factory=list)  # DICOM images that could not be read


def gsps_findings(findings: list[Finding], include_pending: bool = False) -> list[Finding]:
    """The reader's truth of one image (:func:`mammoviewer.review.truth.is_truth`), order kept.

    Rejected findings (hard negatives) are never drawn; ``include_pending`` adds the model
    findings the reader has not decided on yet.
    """
    return [f for f in findings if is_truth(f) or (include_pending and is_pending(f))]


def model_findings(findings: list[Finding]) -> list[Finding]:
    """The model's findings as the model reported them (original box, label and score)."""
    out = []
    for f in findings:
        if f.source != "model":
            continue
        out.append(f.replace(box=f.original_box or f.box, label=f.original_label or f.label,
                             score=f.score if f.original_score is None else f.original_score))  # fmt: skip
    return out


def known_operating_point(name: str, version: str, models_dir: Path = MODELS_DIR) -> float | None:
    """The operating point in the card of a bundled model of that name and version, else None.

    The name comes from a store (perhaps from an imported report): only a plain folder name of
    ``models_dir`` is looked up, never a path.
    """
    if not _plain_name(name) or not (models_dir / name).is_dir():
        return None
    try:
        card = json.loads((models_dir / name / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if str(card.get("name")) != name or str(card.get("version")) != version:
        return None
    value = card.get("default_threshold")
    return float(value) if isinstance(value, (int, float)) else None


def _plain_name(name: str) -> bool:
    """True for a name that is one path component (no separator, not ``.`` or ``..``, no NUL)."""
    return (bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name
            and len(name) <= 255)  # fmt: skip


def _algorithms(store: ReviewStore, key: str, found: list[Finding],
                operating_point: float | None) -> list[Algorithm]:  # fmt: skip
    names = list(dict.fromkeys([(r["model_name"], r["model_version"]) for r in store.model_runs(key)]
                               + [algorithm_key(f) for f in found]))  # fmt: skip
    return [Algorithm(n, v, operating_point if operating_point is not None else known_operating_point(n, v))
            for n, v in names]  # fmt: skip


def _films(store: ReviewStore, fmt: str, reviewed_only: bool, summary: DicomExportSummary) -> list[ImageRecord]:
    """The store's images this export may write (DICOM ones, and for gsps reviewed ones, each film once)."""
    chosen = []
    for img in store.images():
        if not is_dicom(img.key):
            summary.skipped.append(f"{img.key}: skipped, not a DICOM image (no {fmt} for PGM/PNG films)")
        elif (fmt == "gsps" or reviewed_only) and img.review_state != REVIEWED:
            summary.skipped.append(f"{img.key}: skipped, not marked reviewed")
        else:
            found = identify_file(img.key) if fmt == "gsps" and img.content_hash is None else None
            chosen.append(identified(img, found))
    if fmt == "gsps":
        check_one_truth_per_film([ImageFindings(img, [], []) for img in chosen])
    return chosen


def export_dicom(store: ReviewStore, fmt: str, out: str | Path, include_pending: bool = False,
                 reviewed_only: bool = False, operating_point: float | None = None) -> DicomExportSummary:  # fmt: skip
    """Write one ``fmt`` object per DICOM mammogram of ``store`` into the new folder ``out``.

    ``operating_point`` (cad-sr) overrides the models' own; ``include_pending`` (gsps) adds
    pending model findings. gsps writes reviewed films only; ``reviewed_only`` limits cad-sr to them
    too. Raises ExportError if the folder cannot be written or one film would go out twice (gsps).
    """
    from pydicom.uid import generate_uid

    if fmt not in DICOM_FORMATS:
        raise ExportError(f"unknown DICOM format {fmt!r}; choose one of {', '.join(DICOM_FORMATS)}")
    out = Path(out).expanduser().absolute()
    summary = DicomExportSummary(fmt, out)
    series: dict[str, str] = {}  # study -> the new series of this export
    names: set[str] = set()
    films = _films(store, fmt, reviewed_only, summary)
    with atomic_folder(out) as tmp:
        for number, img in enumerate(films, start=1):
            try:
                header = read_header(img.key)
            except ExportError as exc:
                summary.failed.append(str(exc))
                continue
            body = str(header.get("BodyPartExamined") or "").strip() or None
            reason = not_mammography_reason(identified(img, ("", header.get("Modality") or None, body)))
            if reason is not None:
                summary.skipped.append(f"{img.key}: skipped, {reason}")
                continue
            stored = store.findings(img.key)
            if fmt == "cad-sr":
                found = model_findings(stored)
                algorithms = _algorithms(store, img.key, found, operating_point)
                if not algorithms:
                    summary.skipped.append(f"{img.key}: skipped, no model has run on it")
                    continue
            else:
                found = gsps_findings(stored, include_pending)
            uid = series.setdefault(str(header.StudyInstanceUID), generate_uid())
            try:
                ds = (build_cad_sr(header, found, algorithms, uid, instance_number=number) if fmt == "cad-sr"
                      else build_gsps(header, found, uid, instance_number=number))  # fmt: skip
            except (ValueError, TypeError, AttributeError) as exc:
                summary.failed.append(f"{img.key}: cannot build the {fmt} object ({exc})")
                continue
            name = _unique(f"{Path(img.key).stem}.{fmt}.dcm", names)
            try:
                ds.save_as(tmp / name, enforce_file_format=True)
            except (OSError, ValueError) as exc:
                raise ExportError(f"{out / name}: cannot write ({exc})") from exc
            summary.paths.append(out / name)
            summary.findings += len(found)
    return summary


def _unique(name: str, taken: set[str]) -> str:
    stem, n = name, 1
    while name in taken:
        n += 1
        name = stem.replace(".dcm", f"-{n}.dcm")
    taken.add(name)
    return name

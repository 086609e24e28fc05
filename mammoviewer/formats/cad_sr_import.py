"""``import --format cad-sr``: CAD SR documents back into a review store as pending model findings.

Every SR file under the reports folder is read (ours or any TID 4000 SR with SCOORD findings);
each mark goes onto the DICOM image with the referenced SOP Instance UID found under the
images folder, as a pending model finding named after the report's algorithm. Marks the
report says are Not for Presentation are kept, with ``attributes["for_presentation"]`` False.
A mark without a label (no Pathology or Probability of cancer) is stored as malignant with
``attributes["label_given"]`` False.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mammoviewer.errors import ExportError, StoreError
from mammoviewer.formats.cad_sr_reader import CadMark, read_cad_report
from mammoviewer.formats.dicom_source import is_dicom
from mammoviewer.formats.importers import ImportSummary
from mammoviewer.review.keys import image_key
from mammoviewer.review.records import Box, Finding, ImageRecord
from mammoviewer.review.store import ReviewStore

SR_MODALITY = "SR"


def _headers(folder: Path) -> Iterator[tuple[Path, Any]]:
    import pydicom

    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if not is_dicom(path):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield path, pydicom.dcmread(path, stop_before_pixels=True, force=True)
        except Exception:  # noqa: BLE001 - an unreadable file is reported by the caller's count
            yield path, None


def _image_record(path: Path, ds: Any) -> ImageRecord:
    spacing = ds.get("PixelSpacing") or ds.get("ImagerPixelSpacing")
    return ImageRecord(key=image_key(path), width=int(ds.Columns), height=int(ds.Rows),
                       pixel_spacing_mm=float(spacing[1]) if spacing else None)  # fmt: skip


def _finding(key: str, mark: CadMark) -> Finding:
    name, version = mark.algorithm
    attrs: dict[str, Any] = {"for_presentation": mark.for_presentation}
    if mark.label is None:
        attrs["label_given"] = False
    return Finding(image_key=key, box=Box.of(mark.box), label=mark.label or "malignant",
                   finding_type=mark.finding_type, score=mark.score, source="model", status="pending",
                   model_name=name, model_version=version, attributes=attrs).with_provenance()  # fmt: skip


def import_cad_sr(store: ReviewStore, reports: str | Path, images_dir: str | Path) -> ImportSummary:
    """Load every CAD SR under ``reports`` onto the DICOM images under ``images_dir``."""
    reports, images_dir = Path(reports).expanduser(), Path(images_dir).expanduser().absolute()
    if not reports.exists():
        raise ExportError(f"{reports}: no such file or folder of CAD SR documents")
    if not images_dir.is_dir():
        raise ExportError(f"{images_dir}: images folder does not exist")
    images = {str(ds.SOPInstanceUID): (p, ds) for p, ds in _headers(images_dir)
              if ds is not None and ds.get("Modality") != SR_MODALITY and "Rows" in ds and ds.get("SOPInstanceUID")}
    sr_files = [reports] if reports.is_file() else [
        p for p, ds in _headers(reports) if ds is not None and ds.get("Modality") == SR_MODALITY]
    if not sr_files:
        raise ExportError(f"{reports}: no DICOM SR documents in this folder")
    found: dict[str, list[Finding]] = {}
    summary = ImportSummary()
    for path in sr_files:
        ds = _read_sr(path)
        report = read_cad_report(ds)
        summary.unlocated += report.unlocated
        for mark in report.marks:
            if mark.sop_instance_uid not in images:
                summary.missing.append(f"{mark.sop_instance_uid} (from {path.name})")
                continue
            img_path, header = images[mark.sop_instance_uid]
            key = image_key(img_path)
            if key not in found:
                try:
                    store.image(key)
                except StoreError:  # not yet in the store
                    store.add_image(_image_record(img_path, header))
            found.setdefault(key, []).append(_finding(key, mark))
    for key, findings in found.items():
        algorithms = {(f.model_name, f.model_version) for f in findings}
        if len(algorithms) == 1:
            name, version = algorithms.pop()
            store.record_model_findings(key, str(name), str(version), findings)
        else:
            store.replace_findings(key, "model", findings, "import cad-sr")
        summary.images += 1
        summary.findings += len(findings)
    return summary


def _read_sr(path: Path) -> Any:
    import pydicom

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, force=True)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types on junk
        raise ExportError(f"{path}: not a readable DICOM file ({type(exc).__name__}: {exc})") from exc
    if ds.get("Modality") != SR_MODALITY or "ContentSequence" not in ds:
        raise ExportError(f"{path}: not a DICOM SR document (Modality {ds.get('Modality')!r})")
    return ds

"""``import --format cad-sr``: CAD SR documents back into a review store as pending model findings.

Every SR file under the reports folder is read (ours or any TID 4000 SR with SCOORD findings);
each mark goes onto the DICOM image with the referenced SOP Instance UID found under the
images folder, as a pending model finding named after the report's algorithm. Marks the
report says are Not for Presentation are kept, with ``attributes["for_presentation"]`` False.
A mark without a label (no Pathology or Probability of cancer) is stored as malignant with
``attributes["label_given"]`` False.

All or nothing: one transaction; a report that is cut short, or has a content item that cannot
be read, or marks an image whose header cannot be stored, stops the import with one line naming
the file (and the item), and the store is left as it was.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mammoviewer.errors import ExportError, ImageReadError, StoreError
from mammoviewer.formats.cad_sr_reader import CadMark, SrContentError, read_cad_report
from mammoviewer.formats.dicom_complete import missing_bytes
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


def _reports_in(folder: Path) -> list[Path]:
    """The SR documents of a folder (images beside them are passed over); ExportError naming a DICOM file
    that cannot be told apart because it is damaged or cut short."""
    found = []
    for path, ds in _headers(folder):
        modality = _get(ds, "Modality") if ds is not None else None
        if modality == SR_MODALITY:
            found.append(path)
        elif modality is None:
            try:
                cut = missing_bytes(path.read_bytes())
            except OSError as exc:
                raise ExportError(f"{path}: cannot read ({exc.strerror or exc}); nothing imported") from exc
            if ds is None or cut:
                raise ExportError(f"{path}: a DICOM file that cannot be read ({cut or 'damaged header'}); "
                                  "nothing imported")  # fmt: skip
    return found


def _get(ds: Any, keyword: str) -> Any:
    """``ds.get(keyword)``, None where the value cannot be decoded (a damaged header)."""
    try:
        return ds.get(keyword)
    except Exception:  # noqa: BLE001 - pydicom decodes lazily and raises many types on junk
        return None


def _image_record(path: Path, ds: Any) -> ImageRecord:
    """The store's record of a referenced image; ExportError naming it when its header cannot make one."""
    from mammoviewer.io.limits import MAX_IMAGE_PIXELS, pixel_spacing

    try:
        size = [int(_get(ds, k)) for k in ("Columns", "Rows")]
    except (TypeError, ValueError) as exc:
        raise ExportError(f"{path}: image Rows/Columns are not numbers; cannot place CAD marks on it") from exc
    if min(size) <= 0 or size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise ExportError(f"{path}: image of {size[0]}x{size[1]} pixels (Columns x Rows); cannot place CAD marks "
                          "on it")  # fmt: skip
    field = "PixelSpacing" if _get(ds, "PixelSpacing") else "ImagerPixelSpacing"
    raw = _get(ds, field)
    try:
        spacing = pixel_spacing(path, field, raw) if raw else None
    except ImageReadError as exc:
        raise ExportError(str(exc)) from exc
    return ImageRecord(key=image_key(path), width=size[0], height=size[1],
                       pixel_spacing_mm=spacing[1] if spacing else None)  # fmt: skip


def _finding(key: str, mark: CadMark) -> Finding:
    name, version = mark.algorithm
    attrs: dict[str, Any] = {"for_presentation": mark.for_presentation}
    if mark.label is None:
        attrs["label_given"] = False
    return Finding(image_key=key, box=Box.of(mark.box), label=mark.label or "malignant",
                   finding_type=mark.finding_type, score=mark.score, source="model", status="pending",
                   model_name=name, model_version=version, attributes=attrs).with_provenance()  # fmt: skip


def import_cad_sr(store: ReviewStore, reports: str | Path, images_dir: str | Path) -> ImportSummary:
    """Load every CAD SR under ``reports`` onto the DICOM images under ``images_dir``, all or nothing."""
    with store.transaction("import CAD SR findings"):
        return _import_cad_sr(store, reports, images_dir)


def _import_cad_sr(store: ReviewStore, reports: str | Path, images_dir: str | Path) -> ImportSummary:
    reports, images_dir = Path(reports).expanduser(), Path(images_dir).expanduser().absolute()
    if not reports.exists():
        raise ExportError(f"{reports}: no such file or folder of CAD SR documents")
    if not images_dir.is_dir():
        raise ExportError(f"{images_dir}: images folder does not exist")
    images = {str(_get(ds, "SOPInstanceUID")): (p, ds) for p, ds in _headers(images_dir)
              if ds is not None and _get(ds, "Modality") != SR_MODALITY and "Rows" in ds
              and _get(ds, "SOPInstanceUID")}  # fmt: skip
    sr_files = [reports] if reports.is_file() else _reports_in(reports)
    if not sr_files:
        raise ExportError(f"{reports}: no DICOM SR documents in this folder")
    found: dict[str, list[Finding]] = {}
    summary = ImportSummary()
    for path in sr_files:
        ds = _read_sr(path)
        try:
            report = read_cad_report(ds)
        except SrContentError as exc:
            raise ExportError(f"{path}: {exc}; nothing imported") from exc
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
    import io

    import pydicom

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExportError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    cut = missing_bytes(data)
    if cut:
        raise ExportError(f"{path}: the SR file is cut short or damaged ({cut}); nothing imported")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types on junk
        detail = " ".join(str(exc).split())[:200]
        raise ExportError(f"{path}: not a readable DICOM file ({type(exc).__name__}: {detail})") from exc
    modality = _get(ds, "Modality")
    if modality != SR_MODALITY or "ContentSequence" not in ds:
        raise ExportError(f"{path}: not a DICOM SR document (Modality {modality!r})")
    return ds

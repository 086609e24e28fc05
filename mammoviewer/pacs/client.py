"""Find studies (C-FIND), retrieve them (C-GET) and send files (C-STORE) to a PACS node.

A retrieve writes into a hidden temporary folder inside the destination and moves the files
to ``DEST/<StudyInstanceUID>/<SOPInstanceUID>.dcm`` only once the whole study has arrived;
a retrieve cut midway leaves nothing behind. File names never come from a dataset unchecked:
only a well-formed UID becomes a name.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mammoviewer.errors import PacsError
from mammoviewer.formats.atomic import process_running
from mammoviewer.pacs.association import associate, lost, new_ae
from mammoviewer.pacs.nodes import PacsNode

UID_RE = re.compile(r"^[0-9]+(\.[0-9]+)*$")
DATE_RANGE_RE = re.compile(r"^(\d{8})?(-(\d{8})?)?$")
#: a retrieve's hidden folder inside the destination: ``.retrieving-PID-XXXX``
RETRIEVING = ".retrieving-"
#: a retrieving folder without a process id in its name is swept once it is this old (s)
STALE_UNNAMED_S = 24 * 3600
SUCCESS, CANCEL = 0x0000, 0xFE00
PENDING = (0xFF00, 0xFF01)
#: Storage SOP classes accepted on a retrieve (role selection: we act as their SCP)
RETRIEVE_CLASSES = (
    "DigitalMammographyXRayImageStorageForPresentation", "DigitalMammographyXRayImageStorageForProcessing",
    "BreastTomosynthesisImageStorage", "SecondaryCaptureImageStorage", "ComputedRadiographyImageStorage",
    "DigitalXRayImageStorageForPresentation", "DigitalXRayImageStorageForProcessing", "CTImageStorage",
    "MRImageStorage", "UltrasoundImageStorage", "MammographyCADSRStorage", "ComprehensiveSRStorage",
    "EnhancedSRStorage", "BasicTextSRStorage", "GrayscaleSoftcopyPresentationStateStorage",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Study:
    """One study as a PACS describes it."""

    study_uid: str
    patient_id: str
    patient_name: str
    study_date: str
    modalities: list[str]
    images: int | None

    def to_json(self) -> dict[str, Any]:
        return {"study_uid": self.study_uid, "patient_id": self.patient_id, "patient_name": self.patient_name,
                "study_date": self.study_date, "modalities": self.modalities, "images": self.images}  # fmt: skip


def check_uid(uid: str) -> str:
    if not UID_RE.match(uid) or len(uid) > 64:
        raise PacsError(f"{uid!r} is not a DICOM UID (digits and dots, at most 64 characters)")
    return uid


def check_date_range(text: str) -> str:
    """A DICOM date or range: ``20240131``, ``20240101-20241231``, ``20240101-`` or ``-20241231``."""
    if not text or not DATE_RANGE_RE.match(text) or text == "-":
        raise PacsError(f"{text!r} is not a date or date range (YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD-, -YYYYMMDD)")
    return text


def _value(ident: Any, keyword: str) -> Any:
    """An answer's value, None where the node sent one that cannot be decoded."""
    try:
        return ident.get(keyword)
    except Exception:  # noqa: BLE001 - pydicom decodes lazily and raises many types on junk
        return None


def _text(value: Any) -> str:
    """One line of at most 200 characters (a node's free text is shown, never trusted)."""
    return " ".join(str(value or "").split())[:200]


def _count(value: Any) -> int | None:
    """NumberOfStudyRelatedInstances: None unless it is a whole number from 0 to 10^9."""
    try:
        count = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return count if 0 <= count <= 10**9 else None


def _study(ident: Any) -> Study:
    mods = _value(ident, "ModalitiesInStudy") or []
    mods = [_text(m) for m in ([mods] if isinstance(mods, (str, bytes)) else mods) if _text(m)]
    return Study(_text(_value(ident, "StudyInstanceUID")), _text(_value(ident, "PatientID")),
                 _text(_value(ident, "PatientName")), _text(_value(ident, "StudyDate")), mods,
                 _count(_value(ident, "NumberOfStudyRelatedInstances")))  # fmt: skip


def find_studies(node: PacsNode, patient_id: str | None = None, date: str | None = None) -> list[Study]:
    """Studies on ``node`` matching the patient ID (wildcards allowed) and date range."""
    from pydicom.dataset import Dataset
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as FIND

    query = Dataset()
    query.QueryRetrieveLevel = "STUDY"
    query.StudyInstanceUID = ""
    query.PatientID = patient_id or ""
    query.PatientName = ""
    query.StudyDate = check_date_range(date) if date else ""
    query.ModalitiesInStudy = ""
    query.NumberOfStudyRelatedInstances = ""
    ae = new_ae(node)
    ae.add_requested_context(FIND)
    studies: list[Study] = []
    with associate(node, ae) as assoc:
        since = time.monotonic()
        for status, ident in assoc.send_c_find(query, FIND):
            if not status:
                raise lost(node, since, "searching for studies")
            since = time.monotonic()
            code = int(status.Status)
            if code in PENDING and ident is not None:
                with warnings.catch_warnings():  # a malformed value is shown as unknown, not warned about
                    warnings.simplefilter("ignore")
                    studies.append(_study(ident))
            elif code != SUCCESS:
                raise PacsError(f"{node.label}: study search failed (C-FIND status 0x{code:04X})")
    return sorted(studies, key=lambda s: (s.study_date, s.patient_id, s.study_uid))


@dataclass
class _Receiver:
    """Writes each image of a C-GET into ``folder``; counts, reports progress, honours cancel."""

    folder: Path
    progress: Callable[[int, int | None], None] | None
    cancel: threading.Event | None
    total: int | None = None
    paths: list[Path] = field(default_factory=list)
    error: str | None = None

    def on_store(self, event: Any) -> int:
        if self.cancel is not None and self.cancel.is_set():
            return 0xA700
        uid = str(event.request.AffectedSOPInstanceUID or "")
        name = f"{uid}.dcm" if UID_RE.match(uid) and len(uid) <= 64 else f"image-{len(self.paths) + 1:05d}.dcm"
        path = self.folder / name
        try:
            with open(path, "wb") as fh:
                fh.write(event.encoded_dataset())
        except OSError as exc:
            self.error = f"{path}: cannot write ({exc.strerror or exc})"
            return 0xA700  # out of resources
        self.paths.append(path)
        if self.progress is not None:
            self.progress(len(self.paths), self.total)
        return SUCCESS


def _retrieve_contexts(ae: Any) -> list[Any]:
    from pynetdicom import build_role, sop_class
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet as GET
    from pydicom.uid import AllTransferSyntaxes

    ae.add_requested_context(GET)
    roles = []
    for name in RETRIEVE_CLASSES:
        uid = getattr(sop_class, name)
        ae.add_requested_context(uid, AllTransferSyntaxes if name.endswith("ImageStorage") else None)
        roles.append(build_role(uid, scp_role=True))
    return roles


def get_study(node: PacsNode, study_uid: str, dest: str | Path,
              progress: Callable[[int, int | None], None] | None = None,
              cancel: threading.Event | None = None) -> list[Path]:  # fmt: skip
    """Retrieve a whole study with C-GET into ``dest/<study_uid>/``; the files written.

    All or nothing: on any failure (lost connection, refused or failed sub-operations,
    cancel) the partial files are removed and PacsError says how far it got.
    """
    from pydicom.dataset import Dataset
    from pynetdicom import evt
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet as GET

    check_uid(study_uid)
    dest = Path(dest).expanduser().absolute()
    try:
        dest.mkdir(parents=True, exist_ok=True)
        remove_stale_retrieves(dest)
        tmp = Path(tempfile.mkdtemp(prefix=f"{RETRIEVING}{os.getpid()}-", dir=dest))
    except OSError as exc:
        raise PacsError(f"{dest}: cannot write the retrieved study ({exc.strerror or exc})") from exc
    try:
        receiver = _Receiver(tmp, progress, cancel)
        query = Dataset()
        query.QueryRetrieveLevel = "STUDY"
        query.StudyInstanceUID = study_uid
        ae = new_ae(node)
        roles = _retrieve_contexts(ae)
        final, cancelling = None, False
        with associate(node, ae, ext_neg=roles, evt_handlers=[(evt.EVT_C_STORE, receiver.on_store)]) as assoc:
            since = time.monotonic()
            for status, _ident in assoc.send_c_get(query, GET):
                if not status:
                    raise lost(node, since, f"retrieving study {study_uid} ({len(receiver.paths)} images received)")
                since = time.monotonic()
                final = status
                if cancel is not None and cancel.is_set() and not cancelling:
                    cancelling = True
                    assoc.send_c_cancel(1, query_model=GET)  # the node stops sending; we keep nothing
                counts = [status.get(f"Number{k}SubOperations") for k in ("OfRemaining", "OfCompleted",
                                                                         "OfFailed", "OfWarning")]  # fmt: skip
                if counts[0] is not None:
                    receiver.total = sum(int(c or 0) for c in counts)
        _check_outcome(node, study_uid, final, receiver)
        return _move_into(tmp, dest / study_uid, receiver.paths)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def remove_stale_retrieves(dest: Path) -> list[Path]:
    """Delete the hidden folders of retrieves into ``dest`` whose process no longer runs (killed midway)."""
    removed = []
    for folder in dest.glob(f"{RETRIEVING}*"):
        pid = folder.name[len(RETRIEVING):].split("-", 1)[0]
        if pid.isdigit():
            if int(pid) == os.getpid() or process_running(int(pid)):
                continue
        elif time.time() - folder.stat().st_mtime < STALE_UNNAMED_S:
            continue  # written before folders carried their process id: left a day, then swept
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _check_outcome(node: PacsNode, study_uid: str, final: Any, receiver: _Receiver) -> None:
    got = len(receiver.paths)
    if receiver.error:
        raise PacsError(receiver.error)
    if receiver.cancel is not None and receiver.cancel.is_set():
        raise PacsError(f"{node.label}: retrieve of study {study_uid} cancelled after {got} images; nothing kept")
    code = int(final.Status) if final is not None else None
    failed = int(final.get("NumberOfFailedSubOperations") or 0) if final is not None else 0
    if got == 0 and not failed:
        raise PacsError(f"{node.label}: study {study_uid} not retrieved: no image of it came (C-GET status "
                        f"0x{code or 0:04X}); is the study UID right?")  # fmt: skip
    if code != SUCCESS or failed:
        raise PacsError(f"{node.label}: retrieve of study {study_uid} incomplete ({got} images received, "
                        f"{failed} failed; C-GET status 0x{code or 0:04X}); nothing kept")  # fmt: skip


def _move_into(tmp: Path, final: Path, paths: list[Path]) -> list[Path]:
    """Move the received files into the study folder; on failure take back the ones moved."""
    out: list[Path] = []
    try:
        final.mkdir(exist_ok=True)
        for p in paths:
            os.replace(p, final / p.name)
            out.append(final / p.name)
        return out
    except OSError as exc:
        for p in out:
            p.unlink(missing_ok=True)
        raise PacsError(f"{final}: cannot store the retrieved study ({exc.strerror or exc}); nothing kept") from exc


@dataclass
class SendResult:
    """Which files a send stored, and a one-line reason for each it did not."""

    sent: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _read_for_send(path: Path) -> Any:
    import pydicom
    import pydicom.uid

    if path.exists() and not path.is_file():  # a folder, or a named pipe that would be waited on for ever
        raise PacsError(f"{path}: not a regular file; cannot send it")
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=False)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types on junk
        raise PacsError(f"{path}: not a DICOM file ({type(exc).__name__})") from exc
    try:
        sop, instance = str(ds.get("SOPClassUID") or ""), str(ds.get("SOPInstanceUID") or "")
        meta = getattr(ds, "file_meta", None)
        syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    except Exception as exc:  # noqa: BLE001 - as above, values are decoded lazily
        raise PacsError(f"{path}: DICOM file whose header cannot be read ({type(exc).__name__})") from exc
    if not sop or not instance:
        raise PacsError(f"{path}: DICOM file lacks SOP Class/Instance UID; cannot send it")
    for what, uid in (("SOP Class UID", sop), ("SOP Instance UID", instance)):
        if not UID_RE.match(uid) or len(uid) > 64:
            raise PacsError(f"{path}: {what} {uid[:70]!r} is not a DICOM UID; cannot send it")
    if syntax is None or not pydicom.uid.UID(str(syntax)).is_transfer_syntax:
        raise PacsError(f"{path}: transfer syntax {str(syntax)[:70]!r} is not one DICOM knows; cannot send it")
    return ds


def send_files(node: PacsNode, paths: Sequence[str | Path]) -> SendResult:
    """C-STORE each file to ``node`` over one association; files that cannot be sent are listed."""
    from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

    result = SendResult()
    datasets = []
    for p in map(Path, paths):
        try:
            datasets.append((p, _read_for_send(p)))
        except PacsError as exc:
            result.failed.append(str(exc))
    if not datasets:
        return result
    ae = new_ae(node)
    pairs = {(str(ds.SOPClassUID), str(ds.file_meta.TransferSyntaxUID)) for _, ds in datasets}
    if len(pairs) > 120:
        raise PacsError(f"{node.label}: too many kinds of file to send at once ({len(pairs)}); send fewer")
    for sop, ts in sorted(pairs):
        ae.add_requested_context(sop, list(dict.fromkeys([ts, ExplicitVRLittleEndian, ImplicitVRLittleEndian])))
    with associate(node, ae) as assoc:
        for i, (p, ds) in enumerate(datasets):
            since = time.monotonic()
            try:
                status = _store(assoc, ds)
            except PacsError as exc:
                result.failed.append(f"{p}: not sent to {node.label} ({exc})")
                continue
            except Exception as exc:  # noqa: BLE001 - a file pynetdicom cannot encode: report it, send the rest
                detail = " ".join(str(exc).split())[:150]
                result.failed.append(f"{p}: not sent to {node.label} (cannot encode it: {type(exc).__name__}: "
                                     f"{detail})")  # fmt: skip
                continue
            if not status:
                result.failed.append(str(lost(node, since, f"sending {p}")))
                result.failed += [f"{q}: not sent (connection lost)" for q, _ in datasets[i + 1:]]
                break
            code = int(status.Status)
            if code in (SUCCESS, 0xB000, 0xB006, 0xB007):
                result.sent.append(p)
            else:
                result.failed.append(f"{p}: refused by {node.label} (C-STORE status 0x{code:04X})")
    return result


def _store(assoc: Any, ds: Any) -> Any:
    """C-STORE ``ds`` in its own transfer syntax, or decompressed where the node accepted only that."""
    try:
        return assoc.send_c_store(ds)
    except ValueError:  # no accepted presentation context for the file's transfer syntax
        pass
    if not ds.file_meta.TransferSyntaxUID.is_compressed:
        raise PacsError(f"the node accepts no {ds.file_meta.TransferSyntaxUID.name} for {ds.SOPClassUID.name}")
    try:
        ds.decompress()
    except Exception as exc:  # noqa: BLE001 - decoder plugins raise many types
        raise PacsError(f"the node refuses {ds.file_meta.TransferSyntaxUID.name} and it cannot be decompressed "
                        f"({type(exc).__name__})") from exc  # fmt: skip
    try:
        return assoc.send_c_store(ds)
    except ValueError as exc:
        raise PacsError(f"the node accepts {ds.SOPClassUID.name} in no transfer syntax offered") from exc

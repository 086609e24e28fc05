"""A real PACS for the tests: Orthanc started as a plain process on free loopback ports.

Used by the fixtures in ``tests/pacs/conftest.py`` and by ``tests/gui/pacs``.

Each server has its own temporary configuration and storage folder, is filled over its REST
API and stopped afterwards. ``DicomCheckCalledAet`` is on, so a wrong called AE title is
rejected. The Orthanc binary is Debian's ``orthanc`` package (run.sh installs it).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydicom
from pydicom.uid import generate_uid

from mammoviewer.pacs import PacsNode

ORTHANC = shutil.which("Orthanc") or "/usr/sbin/Orthanc"
DATA = Path(__file__).resolve().parent / "data"
FILM = DATA / "mg_cbis_rcc_small_jpegls_ll.dcm"  # a real CBIS-DDSM film, 1172 x 648
SMALL = DATA / "mg_ge_sends_lcc_for_processing_4x4.dcm"  # a real GE header, 4 x 4 pixels
AET = "ORTHANCTEST"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Orthanc:
    """A running Orthanc: its process, ports and REST helpers."""

    process: subprocess.Popen
    http_port: int
    dicom_port: int
    folder: Path
    log: Any = None

    @property
    def node(self) -> PacsNode:
        return PacsNode(host="127.0.0.1", port=self.dicom_port, called_aet=AET, calling_aet="MVTEST",
                        acse_timeout_s=5, dimse_timeout_s=10, network_timeout_s=10)  # fmt: skip

    def rest(self, path: str, data: bytes | None = None) -> object:
        req = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}", data=data,
                                     method="POST" if data is not None else "GET")  # fmt: skip
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def upload(self, path: Path) -> None:
        self.rest("/instances", path.read_bytes())

    def instances(self) -> int:
        return int(self.rest("/statistics")["CountInstances"])  # type: ignore[index]

    def stop(self) -> None:
        """Stop the server (killed: its storage is a temporary folder, nothing to save)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.log is not None:
            self.log.close()


def start_orthanc(folder: Path) -> Orthanc:
    assert Path(ORTHANC).exists(), "Orthanc is not installed (apt-get install orthanc, or ./run.sh test)"
    folder.mkdir(parents=True, exist_ok=True)
    http_port, dicom_port = free_port(), free_port()
    config = {
        "Name": "MammoViewerTest", "StorageDirectory": str(folder / "storage"), "IndexDirectory": str(folder / "index"),
        "HttpPort": http_port, "DicomPort": dicom_port, "DicomAet": AET, "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False, "DicomCheckCalledAet": True, "DicomAlwaysAllowStore": True,
        "DicomAlwaysAllowEcho": True, "DicomAlwaysAllowFind": True, "DicomAlwaysAllowGet": True,
        "DicomAlwaysAllowMove": True, "Plugins": [], "DicomModalities": {},
    }  # fmt: skip
    (folder / "orthanc.json").write_text(json.dumps(config), encoding="utf-8")
    log = open(folder / "orthanc.log", "wb")
    proc = subprocess.Popen([ORTHANC, str(folder / "orthanc.json")], stdout=log, stderr=subprocess.STDOUT)
    server = Orthanc(proc, http_port, dicom_port, folder, log)
    deadline = time.monotonic() + 30
    while True:
        try:
            server.rest("/system")
            return server
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"Orthanc did not start: {(folder / 'orthanc.log').read_text()[-2000:]}")
            time.sleep(0.1)


def two_image_study(folder: Path) -> tuple[str, list[Path]]:
    """Two real (tiny) GE images turned into one new study of patient MV-0002, dated 2024-03-01."""
    study = generate_uid()
    series = generate_uid()
    paths = []
    for i in (1, 2):
        ds = pydicom.dcmread(SMALL)
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.PatientID, ds.PatientName, ds.StudyDate, ds.InstanceNumber = "MV-0002", "Second^Patient", "20240301", i
        paths.append(folder / f"small{i}.dcm")
        ds.save_as(paths[-1])
    return study, paths

"""find / get / send against a real Orthanc, and each way a PACS can fail: one clear PacsError."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from pathlib import Path

import pydicom
import pytest

from mammoviewer.errors import PacsError
from mammoviewer.pacs import PacsNode, find_studies, get_study, load_nodes, save_nodes, send_files

from orthanc_server import FILM, SMALL, free_port


def test_find_gives_every_study_and_filters_by_patient_and_date(orthanc) -> None:
    studies = find_studies(orthanc.node)
    film = pydicom.dcmread(FILM, stop_before_pixels=True)
    assert {film.StudyInstanceUID, orthanc.two_image_study} <= {s.study_uid for s in studies}
    (mine,) = find_studies(orthanc.node, patient_id="MV-0002")
    assert mine.to_json() == {"study_uid": orthanc.two_image_study, "patient_id": "MV-0002",
                              "patient_name": "Second^Patient", "study_date": "20240301",
                              "modalities": ["MG"], "images": 2}  # fmt: skip
    assert [s.patient_id for s in find_studies(orthanc.node, date="20240101-20241231")] == ["MV-0002"]
    assert [s.patient_id for s in find_studies(orthanc.node, patient_id="Mass-*")] == [film.PatientID]


def _listening_sockets() -> set[int]:
    """Inodes of the TCP sockets this process holds in the LISTEN state."""
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            mine.add(int(target[8:-1]))
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                listening.add(int(fields[9]))
    return mine & listening


def test_get_writes_the_whole_study_and_reports_progress(orthanc, tmp_path: Path) -> None:
    seen: list[int] = []
    open_ports: list[set[int]] = []
    before = _listening_sockets()  # what other parts of this process listen on (a test's Dask cluster)

    def progress(n: int, _total: int | None) -> None:
        seen.append(n)
        open_ports.append(_listening_sockets() - before)

    paths = get_study(orthanc.node, orthanc.two_image_study, tmp_path, progress=progress)
    assert seen == [1, 2] and len(paths) == 2
    assert open_ports == [set(), set()]  # C-GET over our own association: no port is opened to listen
    assert sorted(p.parent for p in paths) == [tmp_path / orthanc.two_image_study] * 2
    uids = {pydicom.dcmread(p).SOPInstanceUID for p in paths}
    assert {p.stem for p in paths} == uids
    assert sorted(os.listdir(tmp_path)) == [orthanc.two_image_study]  # no temporary folder left


def test_unknown_study_and_bad_uid(orthanc, tmp_path: Path) -> None:
    with pytest.raises(PacsError, match="study 1.2.3.4.5 not retrieved: no image of it came"):
        get_study(orthanc.node, "1.2.3.4.5", tmp_path)
    with pytest.raises(PacsError, match="is not a DICOM UID"):
        get_study(orthanc.node, "../../etc", tmp_path)
    assert os.listdir(tmp_path) == []


def test_send_stores_files_and_lists_the_ones_it_could_not(orthanc, tmp_path: Path) -> None:
    junk = tmp_path / "junk.dcm"
    junk.write_text("not DICOM")
    before = orthanc.instances()
    ds = pydicom.dcmread(FILM)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = pydicom.uid.generate_uid()
    ds.save_as(tmp_path / "copy.dcm")
    r = send_files(orthanc.node, [tmp_path / "copy.dcm", junk])
    assert r.sent == [tmp_path / "copy.dcm"]
    assert len(r.failed) == 1 and r.failed[0].startswith(f"{junk}: not a DICOM file")
    assert orthanc.instances() == before + 1


def test_nothing_listening(tmp_path: Path) -> None:
    node = PacsNode(host="127.0.0.1", port=free_port(), called_aet="NOBODY")
    with pytest.raises(PacsError, match=r"^NOBODY@127\.0\.0\.1:\d+: nothing is listening there"):
        find_studies(node)


def test_wrong_called_aet_is_rejected(orthanc) -> None:
    with pytest.raises(PacsError, match="association rejected .*'WRONGAET'"):
        find_studies(replace(orthanc.node, called_aet="WRONGAET"))


def test_retrieve_cut_midway_leaves_no_files(fresh_orthanc, tmp_path: Path) -> None:
    worklist = tmp_path / "worklist"

    def kill_after_first(n: int, _total: int | None) -> None:
        if n == 1:
            fresh_orthanc.process.kill()
            fresh_orthanc.process.wait(timeout=10)

    with pytest.raises(PacsError, match="connection lost while retrieving study .* \\(1 images received\\)"):
        get_study(fresh_orthanc.node, fresh_orthanc.two_image_study, worklist, progress=kill_after_first)
    assert os.listdir(worklist) == []


def test_slow_node_times_out_as_its_settings_say(fresh_orthanc) -> None:
    node = fresh_orthanc.node.with_timeout(1.0)
    os.kill(fresh_orthanc.process.pid, signal.SIGSTOP)  # accepts connections (the kernel does), answers nothing
    try:
        start = time.monotonic()
        with pytest.raises(PacsError, match="no answer to the association request within 1 s"):
            find_studies(node)
        assert time.monotonic() - start < 5
    finally:
        os.kill(fresh_orthanc.process.pid, signal.SIGCONT)
    assert find_studies(fresh_orthanc.node)  # and it answers again once awake


def test_nodes_settings_round_trip_and_bad_file(tmp_path: Path) -> None:
    nodes = [PacsNode(host="pacs.example", port=104, called_aet="MAIN", name="main", acse_timeout_s=3)]
    path = save_nodes(nodes, tmp_path / "nodes.json")
    assert load_nodes(path) == nodes
    path.write_text('{"nodes": [{"host": "x", "port": 70000, "called_aet": "A"}]}')
    with pytest.raises(PacsError, match=f"^{path}: PACS port 70000"):
        load_nodes(path)
    assert load_nodes(tmp_path / "none.json") == []


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
def test_no_path_from_the_dataset_is_trusted(orthanc, tmp_path: Path) -> None:
    """An image whose SOP Instance UID is a path lands inside the study folder under a made-up name."""
    ds = pydicom.dcmread(SMALL)
    ds.StudyInstanceUID = pydicom.uid.generate_uid()
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = "../../../escaped"
    ds.save_as(tmp_path / "hostile.dcm")
    orthanc.upload(tmp_path / "hostile.dcm")
    (path,) = get_study(orthanc.node, ds.StudyInstanceUID, tmp_path / "worklist")
    assert path == tmp_path / "worklist" / ds.StudyInstanceUID / "image-00001.dcm"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.dcm", "worklist"]


def test_a_cancelled_retrieve_keeps_nothing(orthanc, tmp_path: Path) -> None:
    import threading

    cancel = threading.Event()
    with pytest.raises(PacsError, match="cancelled after 1 images; nothing kept"):
        get_study(orthanc.node, orthanc.two_image_study, tmp_path, progress=lambda n, _t: cancel.set(),
                  cancel=cancel)  # fmt: skip
    assert os.listdir(tmp_path) == []
    assert len(get_study(orthanc.node, orthanc.two_image_study, tmp_path)) == 2  # the node is fine afterwards

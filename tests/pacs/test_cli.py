"""``mammoviewer pacs``, end to end against a real Orthanc: a film found, retrieved, detected and
reviewed, its CAD SR and GSPS sent back and found there; and the failures, one line each."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pydicom

from mammoviewer.cli import main
from mammoviewer.formats.cad_sr import MAMMOGRAPHY_CAD_SR
from mammoviewer.pacs import save_nodes
from mammoviewer.review import FindingChange, ReviewStore

from orthanc_server import AET, FILM, free_port


def _node(orthanc) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(orthanc.dicom_port), "--aet", AET, "--calling-aet", "MVTEST"]


def _find(orthanc, capsys, *extra: str) -> list[dict]:
    assert main(["pacs", "find", *_node(orthanc), *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["studies"]


def test_film_found_retrieved_detected_reviewed_and_results_sent_back(orthanc, tmp_path: Path, capsys) -> None:
    film = pydicom.dcmread(FILM, stop_before_pixels=True)
    (study,) = _find(orthanc, capsys, "--patient", film.PatientID)
    assert set(study) == {"study_uid", "patient_id", "patient_name", "study_date", "modalities", "images"}
    assert (study["study_uid"], study["modalities"], study["images"]) == (film.StudyInstanceUID, ["MG"], 1)

    worklist = tmp_path / "worklist"
    assert main(["pacs", "get", study["study_uid"], *_node(orthanc), "--to", str(worklist)]) == 0
    assert f"retrieved 1 images of study {study['study_uid']}" in capsys.readouterr().out
    (image,) = (worklist / study["study_uid"]).iterdir()

    store = tmp_path / "review.mvstore"
    assert main(["detect", str(image), "--threshold", "0.05", "--store", str(store), "--json"]) == 0
    detected = json.loads(capsys.readouterr().out)["images"][0]["findings"]
    assert detected, "the detector found nothing above 0.05 on the film"
    with ReviewStore.open(store) as s:  # the reader accepts the strongest finding and rejects the rest
        for f in s.findings():
            status = "accepted" if f.score == max(x.score for x in s.findings()) else "rejected"
            s.apply(FindingChange("set status", f, f.replace(status=status)))
        s.set_review_state(str(image), "reviewed")

    for fmt in ("cad-sr", "gsps"):
        assert main(["export", "--store", str(store), "--format", fmt, "--out", str(tmp_path / fmt)]) == 0
    assert main(["pacs", "send", str(tmp_path / "cad-sr"), str(tmp_path / "gsps"), *_node(orthanc)]) == 0
    assert "sent 2 of 2 files" in capsys.readouterr().out

    (back,) = _find(orthanc, capsys, "--patient", film.PatientID)
    assert back["images"] == 3 and sorted(back["modalities"]) == ["MG", "PR", "SR"]
    again = tmp_path / "again"
    assert main(["pacs", "get", study["study_uid"], *_node(orthanc), "--to", str(again)]) == 0
    classes = sorted(pydicom.dcmread(p).SOPClassUID for p in (again / study["study_uid"]).iterdir())
    assert MAMMOGRAPHY_CAD_SR in classes and "1.2.840.10008.5.1.4.1.1.11.1" in classes
    # the SR found there reads back as the detector's findings
    sr_dir = again / study["study_uid"]
    assert main(["import", "--store", str(tmp_path / "back.mvstore"), "--format", "cad-sr", "--info", str(sr_dir),
                 "--images", str(worklist)]) == 0  # fmt: skip
    with ReviewStore.open(tmp_path / "back.mvstore") as s:
        got = sorted((round(f.score, 4), [round(v, 2) for v in f.box.as_tuple()]) for f in s.findings())
    assert got == sorted((round(d["score"], 4), d["box"]) for d in detected)


def _one_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mammoviewer: error: "), err
    return err[0]


def test_failures_are_one_line(orthanc, tmp_path: Path, capsys) -> None:
    port = str(free_port())
    assert main(["pacs", "find", "--host", "127.0.0.1", "--port", port, "--aet", "X", "--json"]) == 2
    assert "nothing is listening there" in _one_error(capsys)
    wrong = ["--host", "127.0.0.1", "--port", str(orthanc.dicom_port), "--aet", "NOTORTHANC"]
    assert main(["pacs", "find", *wrong]) == 2
    assert "association rejected" in _one_error(capsys)
    assert main(["pacs", "find", *_node(orthanc), "--date", "March"]) == 2
    assert "'March' is not a date" in _one_error(capsys)
    assert main(["pacs", "get", "1.2.3", *_node(orthanc), "--to", str(tmp_path / "w")]) == 2
    assert "study 1.2.3 not retrieved" in _one_error(capsys)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    assert main(["pacs", "send", str(junk), *_node(orthanc)]) == 2
    assert f"{junk}: not a DICOM file" in _one_error(capsys)


def test_a_saved_node_by_name(orthanc, tmp_path: Path, capsys) -> None:
    settings = save_nodes([replace(orthanc.node, name="local")], tmp_path / "nodes.json")
    assert main(["pacs", "find", "--node", "local", "--settings", str(settings), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["studies"]) >= 2
    assert main(["pacs", "find", "--node", "elsewhere", "--settings", str(settings)]) == 2
    assert "no PACS node 'elsewhere'" in _one_error(capsys)


def test_a_slow_node_is_one_line_after_the_time_limit(fresh_orthanc, capsys) -> None:
    import os
    import signal

    os.kill(fresh_orthanc.process.pid, signal.SIGSTOP)
    try:
        assert main(["pacs", "find", *_node(fresh_orthanc), "--timeout", "1", "--json"]) == 2
    finally:
        os.kill(fresh_orthanc.process.pid, signal.SIGCONT)
    assert "no answer to the association request within 1 s" in _one_error(capsys)

"""File › Open from PACS… and Send Results to PACS… on a real window against a real Orthanc."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pydicom
import pytest

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from mammoviewer.pacs import find_studies, save_nodes
from mammoviewer.review import Box, Finding, FindingChange, ImageRecord, ReviewStore

from orthanc_server import FILM, start_orthanc


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    orthanc = start_orthanc(tmp_path_factory.mktemp("orthanc-gui"))
    orthanc.upload(FILM)
    yield orthanc
    orthanc.stop()


@pytest.fixture
def settings_file(server, tmp_path: Path) -> Path:
    return save_nodes([replace(server.node, name="test PACS")], tmp_path / "pacs_nodes.json")


def _wait_status(qtbot, dialog, text: str, timeout_ms: int = 30000) -> None:
    """Wait for ``text`` in the dialog's status line; on timeout, say what the line shows."""
    try:
        qtbot.waitUntil(lambda: text in dialog.status.text(), timeout=timeout_ms)
    except Exception as exc:  # pytestqt's TimeoutError: report the status line instead
        raise AssertionError(f"waited for {text!r}; the status line says {dialog.status.text()!r}") from exc


def _texts(window) -> list[str]:
    return [a.text().replace("&", "") for a in window.menus["file"].actions()]


def test_open_from_pacs_retrieves_the_study_into_the_worklist(window, qtbot, server, settings_file, tmp_path):
    from mammoviewer.gui.pacs.actions import install_pacs_actions

    actions = install_pacs_actions(window, lambda: None, settings=settings_file, retrieve_folder=tmp_path / "pacs")
    texts = _texts(window)
    assert texts.index("Open from PACS\u2026") == texts.index("Open Folder\u2026") + 1
    assert texts.index("Send Results to PACS\u2026") == texts.index("Quit") - 1
    dialog = actions.show_open()
    qtbot.addWidget(dialog)
    assert dialog.nodes.host_edit.text() == "127.0.0.1" and dialog.nodes.saved.currentText() == "test PACS"
    film = pydicom.dcmread(FILM, stop_before_pixels=True)
    dialog.patient_edit.setText(film.PatientID)
    dialog.search_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=30000)
    assert dialog.table.item(0, 5).text() == film.StudyInstanceUID
    assert dialog.retrieve_button.isEnabled()
    dialog.retrieve_button.click()
    expected = tmp_path / "pacs" / film.StudyInstanceUID / f"{film.SOPInstanceUID}.dcm"
    qtbot.waitUntil(lambda: window.worklist.paths() == [str(expected)], timeout=30000)
    assert "Retrieved into" in dialog.status.text() and dialog.progress.value() == 1
    dialog.close()


def test_search_failures_show_one_line(window, qtbot, server, settings_file):
    from mammoviewer.gui.pacs.actions import install_pacs_actions

    dialog = install_pacs_actions(window, lambda: None, settings=settings_file).show_open()
    qtbot.addWidget(dialog)
    dialog.nodes.aet_edit.setText("WRONGAET")
    # Orthanc now and then leaves an association request of a just-finished retrieve's neighbour
    # unanswered for longer than the node's 10 s; that is itself a one-line error, and the rejection
    # must come on a fresh attempt.
    for _attempt in range(3):
        dialog.search_button.click()
        qtbot.waitUntil(lambda: "association" in dialog.status.text() and "\u2026" not in dialog.status.text(),
                        timeout=30000)
        if "no answer to the association request" not in dialog.status.text():
            break
    _wait_status(qtbot, dialog, "association rejected")
    assert "\n" not in dialog.status.text() and dialog.table.rowCount() == 0
    dialog.nodes.host_edit.setText("")
    assert dialog.search() is None and "enter the PACS host" in dialog.status.text()
    dialog.close()


def test_send_results_stores_sr_and_gsps_on_the_pacs(window, qtbot, server, settings_file, tmp_path):
    from mammoviewer.gui.pacs.actions import install_pacs_actions

    film = tmp_path / "films" / "rcc.dcm"
    film.parent.mkdir()
    shutil.copy(FILM, film)
    store_path = tmp_path / "review.sqlite"
    with ReviewStore.open(store_path) as store:
        store.add_image(ImageRecord(key=str(film), width=648, height=1172, review_state="reviewed"))
        (f,) = store.record_model_findings(str(film), "idbll-light", "1.3", [
            Finding(image_key=str(film), box=Box(100, 200, 180, 260), label="malignant", score=0.9)])
        store.apply(FindingChange("set status", f, f.replace(status="accepted")))
    dialog = install_pacs_actions(window, lambda: str(store_path), settings=settings_file).show_send()
    qtbot.addWidget(dialog)
    dialog.send_button.click()
    _wait_status(qtbot, dialog, "Sent ")
    assert dialog.status.text() == f"Sent 2 objects (2 findings) to {server.node.label}"
    (study,) = find_studies(server.node, patient_id=pydicom.dcmread(FILM, stop_before_pixels=True).PatientID)
    assert sorted(study.modalities) == ["MG", "PR", "SR"] and study.images == 3
    dialog.close()


@pytest.mark.slow
def test_film_from_pacs_detected_reviewed_and_results_sent_back_in_the_window(window, qtbot, tmp_path):
    """The whole reading in the viewer: find and retrieve a film from Orthanc, the bundled detector runs
    on it, the reader accepts the strongest finding and marks the film reviewed, the results go back."""
    from mammoviewer.gui.app import attach_review
    from mammoviewer.gui.pacs.actions import install_pacs_actions
    from mammoviewer.gui.review.detection import detector_factory

    server = start_orthanc(tmp_path / "orthanc")
    try:
        server.upload(FILM)
        settings = save_nodes([replace(server.node, name="reading room PACS")], tmp_path / "nodes.json")
        review = attach_review(window, store=tmp_path / "review.sqlite", detector_factory=detector_factory(None, "cpu"))
        review.set_background_detection(False)
        actions = install_pacs_actions(window, lambda: str(review.session.path), settings=settings,
                                       retrieve_folder=tmp_path / "pacs")  # fmt: skip
        opener = actions.show_open()
        qtbot.addWidget(opener)
        opener.search_button.click()
        qtbot.waitUntil(lambda: opener.table.rowCount() == 1, timeout=30000)
        with qtbot.waitSignal(review.findingsShown, timeout=240000):
            opener.retrieve_button.click()
        opener.close()
        found = sorted(review.film.doc.findings, key=lambda f: -(f.score or 0))
        assert found and all(f.source == "model" and f.status == "pending" for f in found)
        review.select(found[0].id)
        review.actions["accept"].trigger()
        review.actions["mark_reviewed"].trigger()
        key = review.film.doc.key
        with ReviewStore.open(tmp_path / "review.sqlite") as store:
            assert store.image(key).review_state == "reviewed"
            assert [f.status for f in store.findings(key) if f.id == found[0].id] == ["accepted"]
        sender = actions.show_send()
        qtbot.addWidget(sender)
        sender.send_button.click()
        _wait_status(qtbot, sender, "Sent 2 objects", timeout_ms=60000)
        sender.close()
        (study,) = find_studies(server.node)
        assert sorted(study.modalities) == ["MG", "PR", "SR"] and study.images == 3
    finally:
        server.stop()

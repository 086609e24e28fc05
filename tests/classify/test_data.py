"""Case labels from the real MIAS Info.txt and the patient-level split."""

from __future__ import annotations

import json
from pathlib import Path

from mammoviewer.classify.data import case_films, make_split

ROOT = Path(__file__).resolve().parents[2]


def test_case_labels_of_the_shared_films(mias_dir: Path) -> None:
    films = case_films(mias_dir, mias_dir / "Info.txt")
    counts = {c: sum(f.label == c for f in films) for c in ("normal", "benign", "malignant")}
    assert counts == {"normal": 175, "benign": 52, "malignant": 43} and len(films) == 270
    by_ref = {f.ref: f for f in films}
    assert by_ref["mdb023"].lesions == ((538.0, 1024.0 - 681.0, 29.0, 2),)  # "mdb023 G CIRC M 538 681 29"
    assert by_ref["mdb059"].unlocated and by_ref["mdb059"].label == "benign"
    assert by_ref["mdb001"].patient == by_ref["mdb002"].patient == 1


def test_split_is_by_patient_stratified_and_seeded(mias_dir: Path) -> None:
    films = case_films(mias_dir, mias_dir / "Info.txt")
    split = make_split(films)
    assert split == make_split(films)
    all_films = [r for f in split["folds"] for r in f["films"]]
    assert sorted(all_films) == sorted(f.ref for f in films)
    patients = [set(f["patients"]) for f in split["folds"]]
    assert all(not (a & b) for i, a in enumerate(patients) for b in patients[i + 1 :])
    for fold in split["folds"]:  # both films of a patient sit in the same fold
        assert {(int(r[3:]) + 1) // 2 for r in fold["films"]} == set(fold["patients"])
    malignant = [f["counts"]["malignant"] for f in split["folds"]]
    assert max(malignant) - min(malignant) <= 1
    detector = ROOT / "models" / "idbll-light" / "split.json"
    if detector.is_file():  # the same scheme gives the detector's folds
        theirs = json.loads(detector.read_text())
        assert [f["films"] for f in theirs["folds"]] == [f["films"] for f in split["folds"]]

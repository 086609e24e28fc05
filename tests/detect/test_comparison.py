"""The retraining's before/after check: films neither model trained on, or a plain word on its bias."""

from __future__ import annotations

import json

from mammoviewer.detect.comparison import comparison_films, train_patients

from shared_paths import MODELS

#: every film of the mini-MIAS database: mdb001 .. mdb322, patients 1 .. 161
ALL_REFS = [f"mdb{n:03d}" for n in range(1, 323)]
BUNDLED = json.loads((MODELS / "idbll-light" / "model.json").read_text())
SPLIT = json.loads((MODELS / "idbll-light" / "split.json").read_text())


def test_the_bundled_model_is_compared_on_the_patients_it_never_saw():
    seen = train_patients(BUNDLED)
    assert seen is not None and len(seen) == 135  # its card lists them, as `evaluate` reads them
    check = comparison_films(BUNDLED, SPLIT, ALL_REFS)
    assert check.bias is None and len(check.refs) == 52
    assert not any((int(r[3:]) + 1) // 2 in seen for r in check.refs)
    assert check.description == "52 films of 26 patients neither model trained on"
    # its own fold 0 (the old default) is films of patients it was trained on: never chosen
    fold0 = set(SPLIT["folds"][0]["films"])
    assert not (check.refs & fold0)


def test_a_model_that_saw_every_patient_gets_a_check_that_says_it_is_biased():
    everyone = dict(BUNDLED, training=dict(BUNDLED["training"], train_patients=list(range(1, 162))))
    check = comparison_films(everyone, SPLIT, ALL_REFS)
    assert check.refs == frozenset(SPLIT["folds"][0]["films"])
    assert check.bias == (f"idbll-light {BUNDLED['version']} was trained on the patients of 54 of these 54 films, "
                          "so it has seen them and the check favours it over the new model")
    unknown = {k: v for k, v in BUNDLED.items() if k != "training"}
    check = comparison_films(unknown, SPLIT, ALL_REFS)
    assert check.bias is not None and "does not say which patients" in check.bias


def test_films_named_outright_still_have_their_bias_told():
    check = comparison_films(BUNDLED, SPLIT, ALL_REFS, holdout=["mdb001", "mdb002", "mdb011"])
    assert check.refs == {"mdb001", "mdb002", "mdb011"}  # patient 1: trained on; patient 6: not
    assert "trained on the patients of 2 of these 3 films" in check.bias
    assert comparison_films(BUNDLED, SPLIT, ALL_REFS, holdout=["mdb011", "mdb012"]).bias is None


def test_a_fold_model_is_fair_on_its_own_fold():
    fold_model = {"name": "fold", "version": "1", "training": {"fold_held_out": 2}}
    check = comparison_films(fold_model, SPLIT, ALL_REFS)
    assert check.refs == frozenset(SPLIT["folds"][2]["films"]) and check.bias is None

"""Number arguments are checked by argparse: a bad value is one usage error, exit status 2."""

from __future__ import annotations

import argparse

import pytest

from mammoviewer.cli import main
from mammoviewer.cli.arguments import non_negative_float, positive_float, positive_int, score, share


def test_value_types_accept_good_and_refuse_bad_numbers() -> None:
    assert score("0") == 0.0 and score("1") == 1.0 and score("0.165") == 0.165
    assert share("0.5") == 0.5 and share("0") == 0.0
    assert positive_int("3") == 3 and positive_float("2e-3") == 0.002 and non_negative_float("0") == 0.0
    for check, bad in ((score, "1.5"), (score, "nan"), (positive_int, "0"), (positive_int, "1.5"),
                       (positive_float, "0"), (positive_float, "inf"), (positive_float, "x"),
                       (non_negative_float, "-1"), (share, "1.5"), (share, "-0.1")):
        with pytest.raises(argparse.ArgumentTypeError):
            check(bad)


@pytest.mark.parametrize("argv, name", [
    (["train", "--out", "OUT", "--lr", "-1"], "--lr"),
    (["train", "--out", "OUT", "--pixel-mm", "0"], "--pixel-mm"),
    (["train", "--out", "OUT", "--width", "0"], "--width"),
    (["train", "--out", "OUT", "--epochs", "0"], "--epochs"),
    (["train", "--out", "OUT", "--min-negatives", "-2"], "--min-negatives"),
    (["train", "--out", "OUT", "--paste", "1.5"], "--paste"),
    (["retrain", "--store", "OUT", "--out", "OUT", "--lr", "0"], "--lr"),
])
def test_bad_training_numbers_are_one_usage_error(argv: list[str], name: str, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main([str(out) if a == "OUT" else a for a in argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"mammoviewer {argv[0]}: error: argument {name}:")
    assert not (tmp_path / "OUT").exists()

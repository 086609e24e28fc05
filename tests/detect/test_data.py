
import numpy as np
import pytest

from mammoviewer.detect import data as md
from mammoviewer.errors import DetectorError

from shared_paths import MIAS
needs_mias = pytest.mark.skipif(not (MIAS / "Info.txt").is_file(), reason="shared MIAS data not present")


@needs_mias
def test_mias_films_boxes_and_unlocated_rows():
    films = {f.ref: f for f in md.mias_films(MIAS, MIAS / "Info.txt")}
    assert len(films) == 270
    assert films["mdb023"].lesions[0].box == (509.0, 314.0, 567.0, 372.0)  # x=538 y=681 r=29
    assert films["mdb023"].lesions[0].label == "malignant" and films["mdb023"].worst == "malignant"
    assert len(films["mdb005"].lesions) == 2
    if "mdb059" in films:
        assert films["mdb059"].lesions == () and films["mdb059"].worst == "benign"


@needs_mias
def test_split_keeps_patients_together_and_is_stratified():
    films = md.mias_films(MIAS, MIAS / "Info.txt")
    split = md.make_split(films, folds=5, seed=0)
    assert split == md.make_split(films, folds=5, seed=0)
    all_films = [r for f in split["folds"] for r in f["films"]]
    assert sorted(all_films) == sorted(f.ref for f in films)
    for fold in split["folds"]:
        assert {(int(r[3:]) + 1) // 2 for r in fold["films"]} == set(fold["patients"])
    for s in ("normal", "benign", "malignant"):
        counts = [f["counts"][s] for f in split["folds"]]
        assert max(counts) - min(counts) <= 1
    train, val = md.fold_refs(split, 2)
    assert not train & val and len(train | val) == 270
    with pytest.raises(DetectorError, match="fold 7 does not exist"):
        md.fold_refs(split, 7)


def test_split_file_round_trip_and_errors(tmp_path):
    split = {"seed": 0, "folds": [{"fold": 0, "patients": [1], "films": ["mdb001", "mdb002"]}]}
    md.save_split(split, tmp_path / "s.json")
    assert md.load_split(tmp_path / "s.json") == split
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(DetectorError, match="bad.json: not a readable split file"):
        md.load_split(tmp_path / "bad.json")


@needs_mias
def test_cache_goes_through_the_display_pipeline(tmp_path):
    from mammoviewer.io import load_image
    from mammoviewer.io.display import render

    films = [f for f in md.mias_films(MIAS, MIAS / "Info.txt") if f.ref == "mdb023"]
    cache = md.load_cache(films, 0.4, tmp_path)
    img, sx, sy = cache["mdb023"]
    assert img.shape == (512, 512) and img.dtype == np.uint8 and sx == sy == 0.5
    r = render(load_image(films[0].path))
    expected = r.reshape(512, 2, 512, 2).mean(axis=(1, 3))
    assert np.abs(img / 255.0 - expected).max() <= 1 / 255 + 1e-6

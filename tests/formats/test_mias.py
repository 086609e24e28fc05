from __future__ import annotations

from pathlib import Path

from mammoviewer.formats import export_store, import_mias
from mammoviewer.io.mias import read_info
from mammoviewer.review import Box, Finding, FindingChange, ReviewStore

from .conftest import MINI_INFO_ROWS


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="latin-1").splitlines()


def test_mias_round_trip_gives_the_same_rows(mini_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    export_store(mini_store, "mias", out)
    assert _lines(out) == MINI_INFO_ROWS  # located, NORM and unlocated rows, byte for byte
    assert _lines(tmp_path / "out_rejected.txt") == []


def test_whole_shared_info_round_trips(shared_mias: Path, tmp_path: Path) -> None:
    with ReviewStore.open(tmp_path / "s.mvstore") as s:
        summary = import_mias(s, shared_mias / "Info.txt", shared_mias)
        export_store(s, "mias", tmp_path / "Info.txt")
    original = [ln for ln in _lines(shared_mias / "Info.txt") if ln.startswith("mdb")]
    assert summary.missing == [] and summary.unlocated == 4
    assert _lines(tmp_path / "Info.txt") == original
    assert read_info(tmp_path / "Info.txt") == read_info(shared_mias / "Info.txt")


def test_edits_classes_rounding_and_rejected_rows(mini_store: ReviewStore, tmp_path: Path) -> None:
    key = next(i.key for i in mini_store.images() if i.key.endswith("mdb144.png"))
    benign, malignant = mini_store.findings(key)
    # moved by half a pixel: rounds half away from zero like the integer original
    moved = benign.replace(box=Box(204.5, 0.5, 262.5, 58.5), edited=True)
    mini_store.apply(FindingChange("move", benign, moved))
    retyped = malignant.replace(finding_type="calcification", edited=True)  # MISC no longer fits
    mini_store.apply(FindingChange("set type", malignant, retyped))
    reader = Finding(image_key=key, box=Box(10, 1000, 20, 1024), label="benign")  # no type -> MISC
    mini_store.apply(FindingChange("add", None, reader))
    rejected = Finding(image_key=key, box=Box(0, 0, 40, 20), label="malignant", finding_type="asymmetry",
                       status="rejected")  # fmt: skip
    mini_store.apply(FindingChange("add", None, rejected))
    out = tmp_path / "out.txt"
    export_store(mini_store, "mias", out)
    rows = [r for r in _lines(out) if r.startswith("mdb144")]
    assert rows == [
        "mdb144 F MISC B 234 995 29",  # centre (233.5, 1024 - 29.5 = 994.5) rounds half up
        "mdb144 F CALC M 313 540 27",  # type changed: class follows the type
        "mdb144 F MISC B 15 12 12",  # no type: MISC; r = max(10, 24) / 2
    ]
    assert _lines(tmp_path / "out_rejected.txt") == ["mdb144 F ASYM M 20 1014 20"]


def test_film_whose_only_finding_is_rejected_becomes_norm(mini_store: ReviewStore, tmp_path: Path) -> None:
    key = next(i.key for i in mini_store.images() if i.key.endswith("mdb001.png"))
    (f,) = mini_store.findings(key)
    mini_store.apply(FindingChange("reject", f, f.replace(status="rejected")))
    export_store(mini_store, "mias", tmp_path / "o.txt")
    assert _lines(tmp_path / "o.txt")[0] == "mdb001 G NORM "
    assert _lines(tmp_path / "o_rejected.txt") == ["mdb001 G CIRC B 535 425 197"]


def test_images_without_mias_metadata_use_their_file_name(small_store: ReviewStore, tmp_path: Path) -> None:
    export_store(small_store, "mias", tmp_path / "o.txt")
    # a.png is 100 high: the kept mass centre (40, 20) is y = 100 - 20 = 80 from the bottom
    assert _lines(tmp_path / "o.txt") == ["a ? CIRC B 40 80 20", "a ? ASYM M 205 20 25", "b ? NORM "]
    assert _lines(tmp_path / "o_rejected.txt") == ["a ? CALC M 110 30 20"]

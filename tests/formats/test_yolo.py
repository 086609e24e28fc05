from __future__ import annotations

from pathlib import Path

from mammoviewer.formats import YOLO_CLASS_IDS, export_store
from mammoviewer.review import ReviewStore


def test_yolo_labels_are_normalised_centres_with_stable_classes(small_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "yolo"
    export_store(small_store, "yolo", out)
    assert (out / "classes.txt").read_text() == "benign\nmalignant\n"
    assert YOLO_CLASS_IDS == {"benign": 0, "malignant": 1}
    assert (out / "images.txt").read_text().splitlines() == ["/films/a.png", "/films/b.png"]
    a = (out / "labels" / "a.txt").read_text().splitlines()
    # [20, 10, 60, 30] on 200x100: centre (40, 20) -> (0.2, 0.2), size (40, 20) -> (0.2, 0.2)
    # [180.4, 60, 230, 99.5] clipped to x1 = 200: centre 190.2/200, 79.75/100, size 19.6/200, 39.5/100
    assert a == ["0 0.200000 0.200000 0.200000 0.200000", "1 0.951000 0.797500 0.098000 0.395000"]
    assert (out / "labels" / "b.txt").read_text() == ""  # reviewed, no finding: a negative sample
    assert not (out / "labels" / "c.txt").exists()  # in progress: not truth yet
    assert not (out / "rejected").exists()  # rejected boxes are never YOLO labels

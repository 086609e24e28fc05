from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mammoviewer.formats import export_store
from mammoviewer.review import ReviewStore


def _objects(path: Path) -> list[dict[str, str]]:
    root = ET.parse(path).getroot()
    out = []
    for obj in root.findall("object"):
        d = {el.tag: (el.text or "") for el in obj if el.tag != "bndbox"}
        d.update({el.tag: el.text or "" for el in obj.find("bndbox")})  # type: ignore[union-attr]
        out.append(d)
    return out


def test_voc_files_are_one_based_inclusive_with_truncation(small_store: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "voc"
    export_store(small_store, "voc", out)
    assert sorted(p.name for p in out.glob("*.xml")) == ["a.xml", "b.xml"]
    root = ET.parse(out / "a.xml").getroot()
    assert root.findtext("filename") == "a.png" and root.findtext("path") == "/films/a.png"
    assert (root.findtext("size/width"), root.findtext("size/height"), root.findtext("size/depth")) == (
        "200", "100", "1")
    kept, edge = _objects(out / "a.xml")
    # columns 20..59 (0-based) are VOC 21..60; rows 10..29 are 11..30
    assert (kept["name"], kept["xmin"], kept["ymin"], kept["xmax"], kept["ymax"]) == ("benign", "21", "11", "60", "30")
    assert (kept["pose"], kept["truncated"], kept["difficult"]) == ("Unspecified", "0", "0")
    assert kept["finding_type"] == "mass" and kept["status"] == "accepted"
    # 180.4 -> 181, reaches past 200 -> clipped and truncated
    assert (edge["xmin"], edge["ymin"], edge["xmax"], edge["ymax"], edge["truncated"]) == ("181", "61", "200", "100", "1")
    assert _objects(out / "b.xml") == []  # a reviewed film with no finding: normal
    # never the rejected model finding (a VOC trainer would take it for a lesion), never the film in progress
    assert not (out / "rejected").exists() and not (out / "c.xml").exists()

"""YOLO txt: ``labels/<stem>.txt`` rows ``class cx cy w h`` normalised to [0, 1].

``classes.txt`` lists benign (0) and malignant (1): stable ids. Boxes are clipped to
the image first (YOLO needs values in [0, 1]). Every exported film gets a label file; an
empty one only for a reviewed film with no finding (a negative sample). A film whose findings
have no location (MIAS ``*NOTE 3*``) cannot be written and is left out. ``images.txt`` lists
the image paths in order. Rejected findings are never written: a YOLO trainer would take
them for lesions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mammoviewer.formats.atomic import atomic_folder
from mammoviewer.formats.selection import YOLO_CLASS_IDS, ImageFindings, unique_stems
from mammoviewer.geometry.boxes import xyxy_to_yolo
from mammoviewer.review.records import Finding, ImageRecord


def lines(image: ImageRecord, findings: list[Finding]) -> list[str]:
    out = []
    for f in findings:
        b = np.clip(np.array(f.box.as_tuple()), 0, [image.width, image.height] * 2)
        if b[2] <= b[0] or b[3] <= b[1]:
            continue  # entirely outside the image
        cx, cy, w, h = xyxy_to_yolo(b, image.width, image.height)
        out.append(f"{YOLO_CLASS_IDS[f.label]} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
    return out


def write(items: list[ImageFindings], out: Path) -> list[Path]:
    items = [it for it in items if it.kept or it.normal]
    stems = unique_stems(items, out)
    with atomic_folder(out) as tmp:
        (tmp / "labels").mkdir()
        names = sorted(YOLO_CLASS_IDS, key=YOLO_CLASS_IDS.__getitem__)
        (tmp / "classes.txt").write_text("".join(n + "\n" for n in names), encoding="utf-8")
        (tmp / "images.txt").write_text("".join(it.image.key + "\n" for it in items), encoding="utf-8")
        for it in items:
            stem = stems[it.image.key]
            text = "".join(s + "\n" for s in lines(it.image, it.kept))
            (tmp / "labels" / f"{stem}.txt").write_text(text, encoding="utf-8")
    return [out]

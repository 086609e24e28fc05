"""COCO detection JSON: ``bbox`` = ``[x, y, width, height]`` in pixels, top-left origin.

Categories are stable forever: benign = 1, malignant = 2, and, only in an export with
``--include-rejected``, rejected = 3: the reader's rejected model findings (hard negatives), their
label kept in ``attributes["label"]``, so a standard loader never takes them for lesions. Each
annotation has a top-level ``status`` ("accepted": the reader's truth, "pending": an undecided
model candidate, only with ``--include-pending``; "rejected") and ``attributes`` = finding_type,
source, status, score, note, edited, finding_id, model name/version and any imported extras (e.g.
``mias_class``). ``score`` is also at the top level when known. Images carry ``file_name`` (base
name), ``path`` (the store key), width, height, ``film_status`` ("reviewed": its truth is complete,
an image without annotations is lesion-free; "in progress": only the reader's decisions so far,
``--include-in-progress``), review_state, note and metadata (e.g. unlocated MIAS rows, so a COCO
round trip keeps them).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mammoviewer.formats.atomic import atomic_files
from mammoviewer.formats.selection import COCO_CATEGORY_IDS, COCO_REJECTED_ID, ImageFindings, export_status
from mammoviewer.review.records import Finding


def annotation(ann_id: int, image_id: int, f: Finding) -> dict[str, Any]:
    x0, y0, x1, y1 = f.box.as_tuple()
    attrs = dict(f.attributes)
    attrs.update(
        finding_type=f.finding_type, source=f.source, status=f.status, score=f.score, note=f.note,
        edited=f.edited, finding_id=f.id, model_name=f.model_name, model_version=f.model_version,
    )  # fmt: skip
    status = export_status(f)
    if status == "rejected":
        attrs["label"] = f.label
    ann: dict[str, Any] = {
        "id": ann_id,
        "image_id": image_id,
        "category_id": COCO_REJECTED_ID if status == "rejected" else COCO_CATEGORY_IDS[f.label],
        "bbox": [x0, y0, x1 - x0, y1 - y0],
        "area": (x1 - x0) * (y1 - y0),
        "iscrowd": 0,
        "status": status,
        "attributes": attrs,
    }
    if f.score is not None:
        ann["score"] = f.score
    return ann


def document(items: list[ImageFindings], include_rejected: bool = False) -> dict[str, Any]:
    """The COCO dict of ``items``; their rejected findings only with ``include_rejected``."""
    images, anns = [], []
    for i, it in enumerate(items, start=1):
        img = it.image
        images.append({
            "id": i, "file_name": Path(img.key).name, "path": img.key, "width": img.width,
            "height": img.height, "film_status": it.film_status, "review_state": img.review_state, "note": img.note,
            "metadata": img.metadata,
        })  # fmt: skip
        for f in it.kept + (it.rejected if include_rejected else []):
            anns.append(annotation(len(anns) + 1, i, f))
    return {
        "info": {
            "description": "MammoViewer review store export",
            "date_created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        },
        "licenses": [],
        "images": images,
        "annotations": anns,
        "categories": [
            {"id": cid, "name": name, "supercategory": "lesion"} for name, cid in COCO_CATEGORY_IDS.items()
        ] + ([{"id": COCO_REJECTED_ID, "name": "rejected", "supercategory": "hard negative"}]
             if include_rejected else []),
    }


def write(items: list[ImageFindings], out: Path, include_rejected: bool = False) -> list[Path]:
    with atomic_files([out]) as (tmp,):
        tmp.write_text(json.dumps(document(items, include_rejected), indent=1), encoding="utf-8")
    return [out]

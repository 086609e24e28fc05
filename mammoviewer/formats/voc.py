"""Pascal VOC XML: one ``<stem>.xml`` per exported film (no object: a reviewed film with no finding).

Rejected findings are never written (a VOC trainer would take them for lesions); a film whose
findings have no location (MIAS ``*NOTE 3*``) cannot be written and is left out.

VOC counts pixels from 1 and its ``bndbox`` is inclusive: pixel column c (0-based) is
VOC x = c + 1. A canonical box ``[x0, x1)`` in 0-based pixel-edge coordinates is
therefore ``xmin = round(x0) + 1``, ``xmax = round(x1)`` (same for y), clipped to
``[1, width]``/``[1, height]``; ``truncated`` is 1 when the box reached past the image.
``pose`` is "Unspecified", ``difficult`` 0. Extra elements: finding_type, score,
source, status, finding_id.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mammoviewer.formats.atomic import atomic_folder
from mammoviewer.formats.selection import ImageFindings, unique_stems
from mammoviewer.review.records import Finding, ImageRecord


def _round(v: float) -> int:
    return int(v // 1 + (1 if v % 1 >= 0.5 else 0))


def voc_box(f: Finding, image: ImageRecord) -> tuple[tuple[int, int, int, int], bool]:
    """``(xmin, ymin, xmax, ymax)`` 1-based inclusive, and whether the box was truncated."""
    x0, y0, x1, y1 = f.box.as_tuple()
    xmin, ymin, xmax, ymax = _round(x0) + 1, _round(y0) + 1, _round(x1), _round(y1)
    truncated = xmin < 1 or ymin < 1 or xmax > image.width or ymax > image.height
    xmin, ymin = max(xmin, 1), max(ymin, 1)
    xmax, ymax = min(xmax, image.width), min(ymax, image.height)
    return (xmin, ymin, max(xmax, xmin), max(ymax, ymin)), truncated


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def xml(image: ImageRecord, findings: list[Finding]) -> bytes:
    root = ET.Element("annotation")
    _sub(root, "folder", Path(image.key).parent.name)
    _sub(root, "filename", Path(image.key).name)
    _sub(root, "path", image.key)
    _sub(_sub(root, "source"), "database", "MammoViewer")
    size = _sub(root, "size")
    _sub(size, "width", image.width)
    _sub(size, "height", image.height)
    _sub(size, "depth", 1)
    _sub(root, "segmented", 0)
    for f in findings:
        (xmin, ymin, xmax, ymax), truncated = voc_box(f, image)
        obj = _sub(root, "object")
        _sub(obj, "name", f.label)
        _sub(obj, "pose", "Unspecified")
        _sub(obj, "truncated", int(truncated))
        _sub(obj, "difficult", 0)
        bb = _sub(obj, "bndbox")
        for tag, v in (("xmin", xmin), ("ymin", ymin), ("xmax", xmax), ("ymax", ymax)):
            _sub(bb, tag, v)
        _sub(obj, "finding_type", f.finding_type or "")
        _sub(obj, "score", "" if f.score is None else repr(f.score))
        _sub(obj, "source", f.source)
        _sub(obj, "status", f.status)
        _sub(obj, "finding_id", f.id)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write(items: list[ImageFindings], out: Path) -> list[Path]:
    items = [it for it in items if it.kept or it.normal]
    stems = unique_stems(items, out)
    with atomic_folder(out) as tmp:
        for it in items:
            (tmp / f"{stems[it.image.key]}.xml").write_bytes(xml(it.image, it.kept))
    return [out]

"""Fuzz driver, run as a child process by ``test_fuzz_imports.py``: seeded hostile MIAS, COCO and CAD SR
files, each imported into a fresh store and, when it loads, exported in every format; one JSON line
per case on stdout.

A line ``{"start": i, "case": ...}`` is written (and flushed) before each case, so when a native
library aborts the process the parent knows which case did it. Usage:
``python fuzz_import_driver.py WORK_DIR SEED FORMAT:COUNT...`` (FORMAT mias, coco or cad-sr).
"""

from __future__ import annotations

import copy
import io
import json
import random
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np

TESTS = Path(__file__).resolve().parents[1]
DICOM_FILM = TESTS / "data" / "mg_cbis_rcc_small_jpegls_ll.dcm"
MIAS_ROWS = ["mdb001 G CIRC B 53 42 19", "mdb002 G NORM ", "mdb001 G CALC M 30 60 20",
             "mdb002 F SPIC M *NOTE 3* ", "mdb002 F ASYM B 100 90 40"]  # fmt: skip
#: numbers that have broken readers: huge, tiny, non-finite, negative, not numbers
NUMBERS = ["1e21", "1.7e308", "1e-300", "1e308", "-1e308", "nan", "inf", "-inf", "-5", "0", "9" * 400, "abc",
           "0x10", "1_000", "１２", "", "1e-9"]  # fmt: skip
JSON_VALUES: list[Any] = ["__BIG__", "__INF__", "__NINF__", "__NAN__", "__E400__", -1, 0, 1e12, 2**63, "abc", None,
                          True, [], {}, [1, 2], "../../etc/passwd", "/dev/zero", "café 1.png", "x" * 5000, 0.5]
RAW_JSON = {"__BIG__": "9" * 400, "__INF__": "Infinity", "__NINF__": "-Infinity", "__NAN__": "NaN",
            "__E400__": "1e400"}  # fmt: skip


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    op = rng.choice(("truncate", "flip", "insert"))
    if op == "truncate":
        return bytes(out[: rng.randrange(1, len(out))])
    if op == "flip":
        for _ in range(rng.randrange(1, 12)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    at = rng.randrange(len(out))
    return bytes(out[:at]) + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16))) + bytes(out[at:])


def mias_case(rng: random.Random, target: Path) -> None:
    rows = [r.split() for r in MIAS_ROWS]
    for _ in range(rng.randrange(1, 4)):
        row = rng.choice(rows)
        op = rng.random()
        if op < 0.6 and len(row) >= 7:
            row[rng.randrange(4, 7)] = rng.choice(NUMBERS)
        elif op < 0.75:
            row[rng.randrange(len(row))] = rng.choice(["NORM", "XXXX", "mdb999", "M", "é", "mdb001"])
        elif op < 0.9:
            del row[rng.randrange(1, len(row)):]
        else:
            row.append(rng.choice(NUMBERS) or "x")
    text = "MIAS preamble\r\n" + "".join(" ".join(r) + "\r\n" for r in rows)
    data = text.encode("utf-8")
    target.write_bytes(mutate_bytes(data, rng) if rng.random() < 0.2 else data)


def coco_case(rng: random.Random, target: Path, base: dict[str, Any]) -> None:
    doc = copy.deepcopy(base)
    for _ in range(rng.randrange(1, 3)):
        try:
            _coco_damage(doc, rng)
        except (TypeError, IndexError, KeyError, AttributeError):
            pass  # an earlier change took away what this one would change
    text = json.dumps(doc)
    for token, raw in RAW_JSON.items():
        text = text.replace(f'"{token}"', raw)
    data = text.encode("utf-8")
    target.write_bytes(mutate_bytes(data, rng) if rng.random() < 0.15 else data)


def _coco_damage(doc: dict[str, Any], rng: random.Random) -> None:
    """Set one value of the document (an annotation's, an image's, a category's or a list) to a hostile one."""
    where = rng.choice(["annotation", "annotation", "image", "category", "top"])
    if where == "annotation" and doc["annotations"]:
        item = rng.choice(doc["annotations"])
        key = rng.choice(["bbox", "bbox", "score", "category_id", "image_id", "attributes", "id"])
        if key == "bbox" and rng.random() < 0.6:
            item["bbox"][rng.randrange(4)] = rng.choice(JSON_VALUES)
        elif key == "attributes":
            item["attributes"] = rng.choice([{"status": rng.choice(JSON_VALUES), "source": "model"},
                                             {"model_name": rng.choice(JSON_VALUES)}, "abc", [1]])  # fmt: skip
        else:
            item[key] = rng.choice(JSON_VALUES)
    elif where == "image":
        item = rng.choice(doc["images"])
        item[rng.choice(["file_name", "file_name", "width", "height", "id", "metadata", "review_state"])] = \
            rng.choice(JSON_VALUES)
    elif where == "category":
        doc["categories"][0][rng.choice(["id", "name"])] = rng.choice(JSON_VALUES)
    else:
        doc[rng.choice(["images", "annotations", "categories"])] = rng.choice(JSON_VALUES)




def _sr_damage(ds: Any, rng: random.Random) -> None:
    """Change one value of the report's content tree to a hostile one."""
    from pydicom.dataset import Dataset

    items = []

    def walk(seq: Any) -> None:
        for it in seq or []:
            items.append(it)
            walk(it.get("ContentSequence"))

    walk(ds.ContentSequence)
    item = rng.choice(items)
    op = rng.randrange(8)
    if op == 0 and "GraphicData" in item:
        item.GraphicData = [float(rng.choice([1, -1, 1e30, 0])) * rng.random() for _ in range(rng.randrange(0, 9))]
    elif op == 1 and "GraphicType" in item:
        item.GraphicType = rng.choice(["CIRCLE", "ELLIPSE", "POINT", "POLYLINE", "BOGUS"])
    elif op == 2 and "ReferencedSOPSequence" in item:
        ref = item.ReferencedSOPSequence[0]
        if rng.random() < 0.5:
            del ref.ReferencedSOPInstanceUID
        else:
            ref.ReferencedSOPInstanceUID = rng.choice(["1.2.3", "9" * 64])
    elif op == 3 and "MeasuredValueSequence" in item:
        item.MeasuredValueSequence[0].NumericValue = rng.choice(["150", "-3", "1e99", "0"])
    elif op == 4 and "TextValue" in item:
        item.TextValue = rng.choice(["/etc", "../../models/idbll-light", "a\nb", "x" * 300, "/dev/zero"])
    elif op == 5 and "ReferencedContentItemIdentifier" in item:
        item.ReferencedContentItemIdentifier = rng.choice([[1, 99, 1], [0], [1], [1, 2, 1, 1, 1]])
    elif op == 6:
        item.ContentSequence = [Dataset()] * rng.randrange(1, 3)
    else:
        for key in ("ConceptNameCodeSequence", "ValueType", "ContentSequence"):
            if key in item and rng.random() < 0.5:
                delattr(item, key)


def cad_sr_case(rng: random.Random, target: Path, reports: list[bytes]) -> None:
    import pydicom

    data = rng.choice(reports)
    if rng.random() < 0.4:
        target.write_bytes(mutate_bytes(data, rng))
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(io.BytesIO(data))
        for _ in range(rng.randrange(1, 3)):
            _sr_damage(ds, rng)
        try:
            buf = io.BytesIO()
            ds.save_as(buf, enforce_file_format=True)
            target.write_bytes(buf.getvalue())
        except Exception:  # noqa: BLE001 - a value pydicom will not write: damage bytes instead
            target.write_bytes(mutate_bytes(data, rng))


def _setup(work: Path) -> tuple[Path, dict[str, Any], list[bytes]]:
    """The films (two MIAS PNGs, one real DICOM), a COCO document and two CAD SR reports to mutate."""
    import cv2

    from mammoviewer.formats import export_store
    from mammoviewer.formats.dicom_out import export_dicom
    from mammoviewer.formats.importers import import_mias
    from mammoviewer.review import Box, Finding, ReviewStore

    sys.path[:0] = [str(TESTS.parent), str(TESTS)]
    from tests.formats.test_cad_sr_import import foreign_sr

    films = work / "films"
    films.mkdir()
    for n, ref in enumerate(("mdb001", "mdb002"), start=1):
        cv2.imwrite(str(films / f"{ref}.png"), np.full((128, 128), n, np.uint8))  # small: each export reads it
    shutil.copy(DICOM_FILM, films / "rcc.dcm")
    info = work / "Info.txt"
    info.write_text("".join(r + "\n" for r in MIAS_ROWS), encoding="latin-1")
    with ReviewStore.open(work / "base.mvstore") as store:
        import_mias(store, info, films)
        export_store(store, "coco", work / "base.json")
        key = str(films / "rcc.dcm")
        from mammoviewer.review import ImageRecord

        store.add_image(ImageRecord(key=key, width=648, height=1172, review_state="reviewed"))
        store.record_model_findings(key, "idbll-light", "1", [
            Finding(image_key=key, box=Box(100, 200, 180, 260), label="malignant", score=0.9),
            Finding(image_key=key, box=Box(300, 500, 340, 530), label="benign", finding_type="calcification",
                    score=0.4)])  # fmt: skip
        (ours,) = export_dicom(store, "cad-sr", work / "base-sr").paths
    import pydicom

    buf = io.BytesIO()
    foreign_sr(pydicom.dcmread(films / "rcc.dcm", stop_before_pixels=True)).save_as(buf, enforce_file_format=True)
    return films, json.loads((work / "base.json").read_text()), [ours.read_bytes(), buf.getvalue()]


def outcome(fmt: str, path: Path, films: Path, work: Path) -> dict[str, Any]:
    """Import ``path`` into a fresh store, then export it in every format; the project's errors are outcomes."""
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.formats import EXPORT_FORMATS, export_store
    from mammoviewer.formats.cad_sr_import import import_cad_sr
    from mammoviewer.formats.dicom_out import export_dicom
    from mammoviewer.formats.importers import import_coco, import_mias
    from mammoviewer.review import ReviewStore

    load: Callable[..., Any] = {"mias": import_mias, "coco": import_coco, "cad-sr": import_cad_sr}[fmt]
    store_path = work / "case.mvstore"
    for p in work.glob("case.mvstore*"):
        p.unlink()
    out = work / "out"
    with ReviewStore.open(store_path) as store:
        try:
            summary = load(store, path, films)
        except MammoViewerError as exc:
            return {"outcome": "refused", "type": type(exc).__name__, "message": str(exc)}
        exported, refused = [], []
        for name in [*EXPORT_FORMATS, "cad-sr", "gsps"]:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            try:
                if name in EXPORT_FORMATS:
                    export_store(store, name, out / f"x.{name}" if name not in ("voc", "yolo") else out / name)
                else:
                    s = export_dicom(store, name, out / name)
                    bad = [ln for ln in s.failed if "\n" in ln]
                    assert not bad, bad
                exported.append(name)
            except MammoViewerError as exc:
                refused.append(f"{name}: {exc}")
    return {"outcome": "loaded", "findings": summary.findings, "exported": exported, "export_refused": refused}


def main(argv: list[str]) -> int:
    work, seed = Path(argv[0]), int(argv[1])
    plan = [(a.rsplit(":", 1)[0], int(a.rsplit(":", 1)[1])) for a in argv[2:]]
    warnings.simplefilter("ignore")  # pydicom's complaints about the junk values are expected here
    films, coco, reports = _setup(work)
    i = 0
    for fmt, count in plan:
        rng = random.Random(f"{seed}:{fmt}")
        for _ in range(count):
            target = work / f"c{i:04d}.{ {'mias': 'txt', 'coco': 'json', 'cad-sr': 'dcm'}[fmt]}"
            if fmt == "mias":
                mias_case(rng, target)
            elif fmt == "coco":
                coco_case(rng, target, coco)
            else:
                cad_sr_case(rng, target, reports)
            print(json.dumps({"start": i, "case": str(target)}), flush=True)
            try:
                result = outcome(fmt, target, films, work)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
                result = {"outcome": "escaped", "type": type(exc).__name__, "message": str(exc)[:300]}
            print(json.dumps({"done": i, "format": fmt, "case": str(target), **result}), flush=True)
            if result["outcome"] != "escaped":
                target.unlink()
            i += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

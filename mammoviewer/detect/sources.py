"""Training and evaluation data from several sources: a mini-MIAS folder, a boxes CSV, a COCO file.

``--data PATH`` names one source:

- a folder with an ``Info.txt``: mini-MIAS (patients are the film pairs mdb(2k-1)/mdb(2k));
- a ``.csv`` file, or a folder holding ``boxes.csv``: one row per box, columns ``file`` (the image, relative to
  the CSV's folder), ``patient`` (blank: the DICOM PatientID, else the file's name), ``x0, y0, x1, y1`` (pixels of
  the stored image, origin top-left), optionally ``label`` (benign, malignant; anything else or none: a lesion
  of unknown kind) and ``class``; other columns are ignored. A row with an empty box lists a lesion-free film;
- a ``.json`` file: COCO detection (``bbox`` = x, y, width, height). Only the reader's truth is used: an
  annotation whose ``status`` is "pending" or "rejected", or whose category is "rejected", is left out, and so is
  a film whose ``film_status`` says it was not yet reviewed (its unmarked tissue is not known to be clear).
  Images are the image's ``path`` when that file exists, else ``file_name`` in the JSON's folder; the patient is
  the image's ``patient_id`` (or ``patient``), else the DICOM PatientID, else the file's name.

Each film's ``domain`` names its source (``mias``, or the CSV's/JSON's folder name, e.g. ``ddsm``).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from mammoviewer.detect.data import UNKNOWN_KIND, Film, Lesion, mias_films
from mammoviewer.errors import DetectorError

KNOWN_LABELS = ("benign", "malignant")
#: the terms and citation of the datasets a model may be trained on, by source name
DATASETS = {
    "mias": "mini-MIAS (J Suckling et al 1994, The Mammographic Image Analysis Society Digital Mammogram "
            "Database, Exerpta Medica International Congress Series 1069 pp375-378): research use only",
    "ddsm": "DDSM (M Heath, K Bowyer, D Kopans, R Moore, P Kegelmeyer 2001, The Digital Database for Screening "
            "Mammography, Proc. 5th Int. Workshop on Digital Mammography), as the Roboflow Universe export "
            "breast-cancer-detection-jixc0 v2 (CC BY 4.0) holds it: research use",
}
_CSV_REQUIRED = ("file", "x0", "y0", "x1", "y1")
_SEVERITY = {"normal": 0, UNKNOWN_KIND: 1, "benign": 1, "malignant": 2}


def dataset_notes(sources: list[str]) -> dict[str, str]:
    """Each source's terms and citation (a source of the user's own: its name, terms unknown to us)."""
    return {s: DATASETS.get(s, "the user's own annotated films; their terms are the user's") for s in sources}


def load_sources(specs: list[str]) -> list[Film]:
    """The films of every source in ``specs``; refs must be unique across sources."""
    films: list[Film] = []
    seen: dict[str, str] = {}
    for spec in specs:
        for f in load_source(spec):
            if f.ref in seen:
                raise DetectorError(f"{spec}: film {f.ref!r} is also in {seen[f.ref]}; each film may come from "
                                    "one source only")
            seen[f.ref] = spec
            films.append(f)
    return films


def load_source(spec: str | Path) -> list[Film]:
    """The films of one source (see the module's docstring for what ``spec`` may be)."""
    path = Path(spec)
    if path.is_dir():
        if (path / "Info.txt").is_file():
            return [_with(f, domain="mias") for f in mias_films(path, path / "Info.txt")]
        if (path / "boxes.csv").is_file():
            return csv_films(path / "boxes.csv")
        raise DetectorError(f"{path}: a --data folder must hold a MIAS Info.txt or a boxes.csv")
    if not path.is_file():
        raise DetectorError(f"{path}: --data source not found")
    if path.suffix.lower() == ".csv":
        return csv_films(path)
    if path.suffix.lower() == ".json":
        return coco_films(path)
    raise DetectorError(f"{path}: not a data source (a MIAS folder, a boxes .csv or a COCO .json)")


def _with(f: Film, **changes) -> Film:
    from dataclasses import replace

    return replace(f, **changes)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:30] + f"... ({len(text)} characters)"


def _number(value: object, where: str, name: str) -> float:
    if isinstance(value, bool):
        raise DetectorError(f"{where}: {name} {_shown(value)} is not a number")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DetectorError(f"{where}: {name} {_shown(value)} is not a number") from None
    except OverflowError:
        x = math.inf
    if not math.isfinite(x) or abs(x) > 1e6:
        raise DetectorError(f"{where}: {name} {_shown(value)} is not a finite pixel coordinate")
    return x


def _box(values: list, where: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (_number(v, where, n) for v, n in zip(values, ("x0", "y0", "x1", "y1")))
    if not (x1 > x0 and y1 > y0):
        raise DetectorError(f"{where}: box {[x0, y0, x1, y1]} has no area (x1 must exceed x0, y1 y0)")
    return x0, y0, x1, y1


def _label(value: str | None) -> str:
    v = (value or "").strip().lower()
    return v if v in KNOWN_LABELS else UNKNOWN_KIND


def _dicom_patient(path: Path) -> str | None:
    if path.suffix.lower() not in (".dcm", ".dicom", ""):
        return None
    try:
        import pydicom

        pid = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["PatientID"]).get("PatientID")
    except Exception:  # not DICOM or unreadable here: the image loader says what is wrong later
        return None
    return str(pid).strip() or None


def _ref(path: Path, root: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    return rel.with_suffix("").as_posix()


def _film(ref: str, patient: str, path: Path, lesions: list[Lesion], domain: str, view: str | None) -> Film:
    worst = max((l.label for l in lesions), key=_SEVERITY.__getitem__, default="normal")
    return Film(ref, patient, str(path), tuple(lesions), worst, domain=domain, view=view)


def csv_films(path: Path) -> list[Film]:
    """The films of a boxes CSV; errors name the file and the row."""
    root = path.parent
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in _CSV_REQUIRED if c not in columns]
            if missing:
                raise DetectorError(f"{path}: row 1: missing column(s) {', '.join(missing)} "
                                    f"(expected file,patient,...,x0,y0,x1,y1)")
            rows = [(n, {(k or "").strip(): (v or "").strip() for k, v in row.items()})
                    for n, row in enumerate(reader, start=2)]
    except OSError as exc:
        raise DetectorError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DetectorError(f"{path}: not a readable CSV file ({exc})") from exc
    films: dict[str, dict] = {}
    for n, row in rows:
        where = f"{path}: row {n}"
        name = row.get("file", "")
        if not name:
            raise DetectorError(f"{where}: empty file name")
        image = (root / name)
        if not image.resolve().is_relative_to(root.resolve()):
            raise DetectorError(f"{where}: file {name!r} lies outside the CSV's folder")
        if not image.is_file():
            raise DetectorError(f"{where}: image {name!r} not found in {root}")
        entry = films.setdefault(name, {"path": image, "lesions": [], "patient": row.get("patient", ""),
                                        "view": row.get("view") or None})
        if entry["patient"] != row.get("patient", "") :
            raise DetectorError(f"{where}: {name!r} is listed for two patients "
                                f"({entry['patient']!r} and {row.get('patient', '')!r})")
        coords = [row.get(c, "") for c in ("x0", "y0", "x1", "y1")]
        if not any(coords):
            continue  # a lesion-free film
        box = _box(coords, where)
        entry["lesions"].append(Lesion(box, _label(row.get("label")), row.get("class", "") or "LESION"))
    domain = root.name or "csv"
    out = []
    for name, e in films.items():
        patient = e["patient"] or _dicom_patient(e["path"]) or Path(name).stem
        out.append(_film(_ref(e["path"], root), patient, e["path"], e["lesions"], domain, e["view"]))
    if not out:
        raise DetectorError(f"{path}: lists no films")
    return out


def _coco_image_path(img: dict, root: Path, where: str) -> Path:
    p = img.get("path")
    if isinstance(p, str) and p and Path(p).is_file():
        return Path(p)
    name = img.get("file_name")
    if not isinstance(name, str) or not name.strip():
        raise DetectorError(f"{where}: no file_name")
    image = root / name
    if not image.resolve().is_relative_to(root.resolve()):
        raise DetectorError(f"{where}: file_name {name!r} lies outside the JSON's folder")
    if not image.is_file():
        raise DetectorError(f"{where}: image {name!r} not found in {root}")
    return image


def coco_films(path: Path) -> list[Film]:
    """The films of a COCO file (the reader's truth only); errors name the file and the item."""
    root = path.parent
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: float("nan"))
    except OSError as exc:
        raise DetectorError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DetectorError(f"{path}: not a COCO JSON file ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("images"), list):
        raise DetectorError(f"{path}: not a COCO detection file (no \"images\" list)")
    cats = {c.get("id"): str(c.get("name", "")).lower() for c in doc.get("categories") or [] if isinstance(c, dict)}
    images: dict = {}
    skipped: set = set()
    for k, img in enumerate(doc["images"]):
        where = f"{path}: images[{k}]"
        if not isinstance(img, dict) or "id" not in img:
            raise DetectorError(f"{where}: not an image entry with an id")
        if img.get("film_status") not in (None, "reviewed"):
            skipped.add(img["id"])  # a film not yet reviewed: its unmarked tissue is not known to be clear
            continue
        images[img["id"]] = {"path": _coco_image_path(img, root, where), "lesions": [],
                             "patient": str(img.get("patient_id") or img.get("patient") or "").strip()}
    for k, ann in enumerate(doc.get("annotations") or []):
        where = f"{path}: annotations[{k}]"
        if not isinstance(ann, dict):
            raise DetectorError(f"{where}: not an annotation")
        category = cats.get(ann.get("category_id"), "")
        if ann.get("status") in ("pending", "rejected") or category == "rejected" or ann.get("image_id") in skipped:
            continue
        if ann.get("image_id") not in images:
            raise DetectorError(f"{where}: image_id {ann.get('image_id')!r} is not among the images")
        bbox = ann.get("bbox")
        if not isinstance(bbox, list) or len(bbox) != 4:
            raise DetectorError(f"{where}: bbox must be [x, y, width, height]")
        x, y, w, h = (_number(v, where, n) for v, n in zip(bbox, ("x", "y", "width", "height")))
        box = _box([x, y, x + w, y + h], where)
        attrs = ann.get("attributes") if isinstance(ann.get("attributes"), dict) else {}
        cls = str(attrs.get("mias_class") or attrs.get("finding_type") or "LESION")
        images[ann["image_id"]]["lesions"].append(Lesion(box, _label(category), cls))
    domain = root.name or "coco"
    out = []
    for e in images.values():
        patient = e["patient"] or _dicom_patient(e["path"]) or e["path"].stem
        out.append(_film(_ref(e["path"], root), patient, e["path"], e["lesions"], domain, None))
    if not out:
        raise DetectorError(f"{path}: lists no images")
    return out

"""Load existing labels into a review store: MIAS ``Info.txt`` and COCO JSON.

Imported findings have ``source="import"`` and provenance (``original_*``); re-importing
replaces the earlier imported findings a reader has not touched (edited, accepted or
rejected ones stay). Image keys are absolute paths; sizes come from the file header.

MIAS: the Info.txt is a complete reading of each film, so a film it brings into the store is
marked reviewed (a film already in the store keeps its review state); every located row
becomes a finding whose ``attributes["mias_class"]`` keeps the MIAS class; NORM films become
images without findings; rows without a location
(``*NOTE 3*``, mdb059) are kept verbatim in ``metadata["mias_unlocated_rows"]`` and
described in the image note, so a MIAS export writes them back unchanged.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mammoviewer.errors import ExportError, MammoViewerError
from mammoviewer.formats import coco_checks as checks
from mammoviewer.geometry.mias import MIAS_PIXEL_MM, MIAS_SIZE
from mammoviewer.io.mias import films, read_info
from mammoviewer.review.keys import image_key
from mammoviewer.review.records import FINDING_TYPES, LABELS, REVIEW_STATES, STATUSES, Box, Finding, ImageRecord
from mammoviewer.review.store import ReviewStore

#: ``progress(films done, films in all)``, called before each film
Progress = Callable[[int, int], None]
IMAGE_SUFFIXES = (".png", ".pgm", ".dcm", ".tif", ".tiff")


@dataclass
class ImportSummary:
    """What an import stored."""

    images: int = 0
    findings: int = 0
    unlocated: int = 0
    missing: list[str] = field(default_factory=list)  # images named in the labels but not found


def _pgm_size(head: bytes) -> tuple[int, int] | None:
    tokens: list[bytes] = []
    for line in head.split(b"\n"):
        line = line.split(b"#", 1)[0]
        tokens += line.split()
        if len(tokens) >= 3:
            return int(tokens[1]), int(tokens[2])
    return None


def image_size(path: Path) -> tuple[int, int]:
    """``(width, height)`` of an image, from the PNG/PGM header when possible."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise ExportError(f"{path}: cannot read image ({exc.strerror or exc})") from exc
    try:
        if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])  # type: ignore[return-value]
        if head[:2] in (b"P2", b"P5"):
            size = _pgm_size(head)
            if size:
                return size
    except (ValueError, struct.error):
        pass
    try:
        from mammoviewer.io import load_image

        img = load_image(path)
        return img.columns, img.rows
    except ImportError:  # loaders not available: fall back to OpenCV
        import cv2

        arr = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        if arr is None:
            raise ExportError(f"{path}: cannot read image size") from None
        return int(arr.shape[1]), int(arr.shape[0])
    except MammoViewerError as exc:
        raise ExportError(f"{path}: cannot read image size ({exc})") from exc


def _find_image(images_dir: Path, ref: str) -> Path | None:
    for suffix in IMAGE_SUFFIXES:
        p = images_dir / f"{ref}{suffix}"
        if p.is_file():
            return p
    return None


def import_mias(store: ReviewStore, info_path: str | Path, images_dir: str | Path,
                progress: Progress | None = None) -> ImportSummary:
    """Import a MIAS ``Info.txt``; films are ``images_dir/<ref>.png`` (or .pgm, ...).

    One transaction: on any error the store is left exactly as it was.
    """
    with store.transaction("import MIAS labels"):
        return _import_mias(store, info_path, images_dir, progress)


def _import_mias(store: ReviewStore, info_path: str | Path, images_dir: str | Path,
                 progress: Progress | None = None) -> ImportSummary:
    info_path, images_dir = Path(info_path), Path(images_dir).expanduser().absolute()
    if not images_dir.is_dir():
        raise ExportError(f"{images_dir}: images folder does not exist")
    try:
        rows = read_info(info_path)
    except MammoViewerError as exc:
        raise ExportError(str(exc)) from exc
    raw = [
        line for line in info_path.read_text(encoding="latin-1").splitlines() if line.startswith("mdb")
    ]
    if len(raw) != len(rows) or any(line.split()[0] != r.ref for r, line in zip(rows, raw)):
        raise ExportError(f"{info_path}: rows could not be matched to their text; file changed while reading?")
    raw_of = {id(r): line for r, line in zip(rows, raw)}
    summary = ImportSummary()
    by_film = films(rows)
    for done, (ref, film) in enumerate(by_film.items()):
        if progress is not None:
            progress(done, len(by_film))
        path = _find_image(images_dir, ref)
        if path is None:
            summary.missing.append(ref)
            continue
        width, height = image_size(path)
        unlocated = [raw_of[id(r)] for r in film if not r.located and r.cls != "NORM"]
        meta: dict[str, Any] = {"mias_ref": ref, "mias_tissue": film[0].tissue}
        note = ""
        if unlocated:
            meta["mias_unlocated_rows"] = unlocated
            note = "MIAS rows without a location: " + "; ".join(u.strip() for u in unlocated)
        spacing = MIAS_PIXEL_MM if (width, height) == (MIAS_SIZE, MIAS_SIZE) else None
        key = image_key(path)
        store.add_image(ImageRecord(key=key, width=width, height=height, pixel_spacing_mm=spacing,
                                    note=note, metadata=meta, review_state="reviewed"))  # fmt: skip
        found = [_mias_finding(key, r, height, info_path) for r in film if r.located and r.label]
        store.replace_findings(key, "import", found, "import")
        summary.images += 1
        summary.findings += len(found)
        summary.unlocated += len(unlocated)
    return summary


def _mias_finding(key: str, row: Any, height: int, info_path: Path) -> Finding:
    try:
        box = Box.of(row.box(height))
    except ValueError as exc:
        raise ExportError(f"{info_path}: row of {row.ref} (x {row.x:g}, y {row.y:g}, radius {row.radius:g}) "
                          f"gives no box on its {height}-row film ({exc})") from exc  # fmt: skip
    return Finding(image_key=key, box=box, label=row.label, finding_type=row.finding_type, source="import",
                   attributes={"mias_class": row.cls}).with_provenance()  # fmt: skip


def _load_json(path: Path) -> dict[str, Any]:
    if path.exists() and not path.is_file():  # a folder, or a named pipe that would be waited on for ever
        raise ExportError(f"{path}: is not a regular file; give the COCO JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExportError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise ExportError(f"{path}: JSON nested too deeply to be a COCO file") from exc
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise ExportError(f"{path}: not a COCO file (no 'images' list)")
    return data


def import_coco(store: ReviewStore, coco_json: str | Path, images_dir: str | Path,
                progress: Progress | None = None) -> ImportSummary:
    """Import COCO detection JSON; categories must be named "benign"/"malignant".

    Images are ``images_dir/<file_name>``; width/height come from the JSON or the file.
    ``attributes`` finding_type, status, note, score and extras (``mias_class``) are kept. An image's
    ``review_state`` is kept; a COCO file without one (another tool's) lists complete labels, so its
    images are marked reviewed. Category "rejected" (``export --include-rejected``) comes back as
    rejected findings with their ``attributes["label"]``.
    Annotations marked as undecided model candidates (``"status": "pending"`` from a model, as
    ``export --include-pending`` writes them) come back as pending model findings, never as truth.
    One transaction: on any error the store is left exactly as it was.
    """
    with store.transaction("import COCO labels"):
        return _import_coco(store, coco_json, images_dir, progress)


def _is_candidate(a: dict[str, Any]) -> bool:
    """A COCO annotation that is a model's undecided candidate rather than a label."""
    attrs = a.get("attributes") if isinstance(a.get("attributes"), dict) else {}
    status = a.get("status", attrs.get("status"))
    return status == "pending" and attrs.get("source") == "model"


def _import_coco(store: ReviewStore, coco_json: str | Path, images_dir: str | Path,
                 progress: Progress | None = None) -> ImportSummary:
    coco_json, images_dir = Path(coco_json), Path(images_dir).expanduser().absolute()
    data = _load_json(coco_json)
    try:
        cats = {c["id"]: c["name"] for c in data.get("categories", [])}
        anns_of: dict[Any, list[dict[str, Any]]] = {}
        for a in data.get("annotations", []):
            anns_of.setdefault(a["image_id"], []).append(a)
        summary = ImportSummary()
        for done, im in enumerate(data["images"]):
            if progress is not None:
                progress(done, len(data["images"]))
            path = checks.image_path(images_dir, im["file_name"], coco_json)
            if not path.is_file():
                summary.missing.append(im["file_name"])
                continue
            width, height = checks.image_size(im, coco_json) or image_size(path)
            key = image_key(path)
            state = im.get("review_state") if im.get("review_state") in REVIEW_STATES else "reviewed"
            meta = im.get("metadata") if isinstance(im.get("metadata"), dict) else {}
            store.add_image(ImageRecord(key=key, width=width, height=height, review_state=state,
                                        note=str(im.get("note") or ""), metadata=meta))  # fmt: skip
            anns = anns_of.get(im["id"], [])
            found = [_coco_finding(key, a, cats, coco_json, (width, height)) for a in anns if not _is_candidate(a)]
            store.replace_findings(key, "import", found, "import")
            runs: dict[tuple[str, str], list[Finding]] = {}
            for a in filter(_is_candidate, anns):
                f = _coco_finding(key, a, cats, coco_json, (width, height))
                name, version = str(f.model_name or "imported model"), str(f.model_version or "?")
                runs.setdefault((name, version), []).append(
                    f.replace(source="model", status="pending", model_name=name, model_version=version))
            for (name, version), candidates in runs.items():
                store.record_model_findings(key, name, version, candidates)
                found += candidates
            summary.images += 1
            summary.findings += len(found)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise ExportError(f"{coco_json}: malformed COCO file ({type(exc).__name__}: {exc})") from exc
    return summary


def _coco_finding(key: str, a: dict[str, Any], cats: dict[Any, str], src: Path, size: tuple[int, int]) -> Finding:
    label = cats.get(a["category_id"])
    attrs = dict(a.get("attributes") or {})
    if label == "rejected":  # a hard negative: its own category, the finding's label kept in its attributes
        label, attrs["status"] = attrs.pop("label", "benign"), "rejected"
    if label not in LABELS:
        raise ExportError(
            f"{src}: annotation {a.get('id')} has category {label or a['category_id']!r}; "
            "only 'benign' and 'malignant' are known"
        )
    x0, y0, x1, y1 = checks.bbox(a, size[0], size[1], src)
    known = ("finding_type", "source", "status", "score", "note", "edited", "finding_id",
             "model_name", "model_version")  # fmt: skip
    ftype = attrs.get("finding_type")
    status = attrs.get("status")
    score = a.get("score", attrs.get("score"))
    return Finding(
        image_key=key, box=Box(x0, y0, x1, y1), label=label,
        finding_type=ftype if ftype in FINDING_TYPES else None,
        score=checks.score(a, score, src), source="import",
        model_name=attrs.get("model_name") or None, model_version=attrs.get("model_version") or None,
        status=status if status in STATUSES else "pending", note=str(attrs.get("note") or ""),
        attributes={k: v for k, v in attrs.items() if k not in known},
    ).with_provenance()  # fmt: skip


__all__ = ["ImportSummary", "image_size", "import_coco", "import_mias"]

"""How well click-to-locate finds the lesion the reader clicked on, by MIAS class, on held-out patients.

For every located lesion of the fold's films: one click at its centre and one 4 mm off it (in a
direction drawn per lesion with a fixed seed). A click *hits* when its first proposal's centre lies
inside the lesion's circle or its IoU with the lesion's square is >= 0.3; the share with IoU >= 0.5
is reported too. The same clicks are scored for the ablations (the model at its own pixel size only,
both scales without the model-free boxes, the model-free boxes alone) and for the trivial baseline:
a square of fixed side centred on the click, the side being the median lesion side of the
*training* folds.

    python -m mammoviewer.research.locate_eval --model .work/cv/fold0 --fold 0 [--out figures.json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from mammoviewer.detect.data import Film, fold_refs, load_split, mias_films
from mammoviewer.detect.locate import Candidates, LocateConfig, Locator, rank
from mammoviewer.errors import DetectorError, MammoViewerError
from mammoviewer.geometry import boxes as gb
from mammoviewer.geometry.mias import MIAS_PIXEL_MM

ROOT = Path(__file__).resolve().parents[2]

#: the variants scored on the same clicks: name -> config given to ``rank``
VARIANTS: dict[str, LocateConfig] = {
    "method": LocateConfig(),
    "method_1x_2x": LocateConfig(scales=(1.0, 2.0)),
    "model_1x": LocateConfig(scales=(1.0,), image_proposals=False),
    "model_1x_2x": LocateConfig(scales=(1.0, 2.0), image_proposals=False),
    "image_only": LocateConfig(scales=(), image_proposals=True),
}


def clicks_of(box: tuple[float, float, float, float], offset_px: float,
              rng: np.random.Generator) -> list[tuple[str, float, float]]:
    """("centre", x, y) and ("offset", x, y) for a lesion box; the offset in a random direction."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    angle = float(rng.uniform(0, 2 * math.pi))
    return [("centre", cx, cy), ("offset", cx + offset_px * math.cos(angle), cy + offset_px * math.sin(angle))]


def hit(proposal: tuple[float, float, float, float] | None,
        truth: tuple[float, float, float, float]) -> tuple[bool, bool]:
    """(hit: centre inside the lesion's circle or IoU >= 0.3, IoU >= 0.5) of the first proposal."""
    if proposal is None:
        return False, False
    iou = float(gb.iou(np.array([proposal]), np.array([truth]))[0, 0])
    cx, cy = (truth[0] + truth[2]) / 2, (truth[1] + truth[3]) / 2
    radius = (truth[2] - truth[0]) / 2
    px, py = (proposal[0] + proposal[2]) / 2, (proposal[1] + proposal[3]) / 2
    inside = (px - cx) ** 2 + (py - cy) ** 2 <= radius ** 2
    return bool(inside or iou >= 0.3), bool(iou >= 0.5)


def fixed_box(x: float, y: float, side_px: float, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """The baseline: a square of ``side_px`` centred on the click, clipped to the image."""
    h = side_px / 2
    return (max(0.0, x - h), max(0.0, y - h), min(float(size[0]), x + h), min(float(size[1]), y + h))


def _tally(rows: list[dict], key: str) -> dict:
    out: dict[str, dict] = {}
    groups: dict[str, list[dict]] = {"all": rows}
    for r in rows:
        groups.setdefault(r["class"], []).append(r)
        groups.setdefault(f"click_{r['click']}", []).append(r)
    for name, g in sorted(groups.items()):
        out[name] = {"clicks": len(g), "hit": round(sum(r[key][0] for r in g) / len(g), 3),
                     "iou50": round(sum(r[key][1] for r in g) / len(g), 3)}
    return out


def evaluate(locator: Locator, films: list[Film], baseline_side_mm: float, offset_mm: float = 4.0,
             seed: int = 0, progress=None) -> dict:
    """Score every variant and the baseline on the clicks of ``films``' lesions (see the module docstring)."""
    from mammoviewer.io import load_image

    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    seconds: list[float] = []
    for i, film in enumerate(films):
        if not film.lesions:
            continue
        image = load_image(film.path)
        spacing = image.pixel_spacing_mm or (MIAS_PIXEL_MM, MIAS_PIXEL_MM)
        for lesion in film.lesions:
            for kind, x, y in clicks_of(lesion.box, offset_mm / spacing[1], rng):
                x = min(max(x, 0.0), image.columns - 1.0)
                y = min(max(y, 0.0), image.rows - 1.0)
                t0 = time.perf_counter()
                cands: Candidates = locator.candidates(image, x, y)
                seconds.append(time.perf_counter() - t0)
                row = {"film": film.ref, "class": lesion.cls, "click": kind}
                for name, cfg in VARIANTS.items():
                    props = rank(cands, replace(cfg, max_proposals=1))
                    row[name] = hit(props[0].box if props else None, lesion.box)
                row["baseline"] = hit(fixed_box(x, y, baseline_side_mm / spacing[1], cands.size), lesion.box)
                rows.append(row)
        if progress:
            progress(i + 1, len(films))
    return {
        "lesions": len(rows) // 2,
        "clicks": len(rows),
        "baseline_side_mm": round(baseline_side_mm, 2),
        "seconds_per_click": round(float(np.mean(seconds)), 4) if seconds else None,
        **{name: _tally(rows, name) for name in (*VARIANTS, "baseline")},
    }


def median_side_mm(films: list[Film]) -> float:
    """Median side (mm) of the lesion squares of ``films`` (MIAS: 0.2 mm pixels)."""
    sides = [(l.box[2] - l.box[0]) * MIAS_PIXEL_MM for f in films for l in f.lesions]
    if not sides:
        raise DetectorError("no located lesion in the training films: no baseline side")
    return float(np.median(sides))


NAMES = {"method": "**method** (model 1x + blob + specks)", "method_1x_2x": "method, model also at 2x",
         "model_1x": "model 1x only", "model_1x_2x": "model 1x + 2x only",
         "image_only": "blob + specks only (no model)", "baseline": "baseline: fixed square on the click"}


def markdown(doc: dict) -> str:
    """The figures of ``doc`` as a table: hit / IoU >= 0.5 share per class, for every variant."""
    classes = [k for k in doc["method"] if k != "all" and not k.startswith("click_")]
    head = ["all", "click_centre", "click_offset", *classes]
    lines = ["| variant | " + " | ".join(f"{h.replace('click_', '')} (n={doc['method'][h]['clicks']})" for h in head)
             + " |", "| --- |" + " --- |" * len(head)]
    for name, label in NAMES.items():
        cells = [f"{doc[name][h]['hit']:.2f} / {doc[name][h]['iou50']:.2f}" for h in head]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m mammoviewer.research.locate_eval",
                                description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="detector model file or folder (a fold model)")
    p.add_argument("--fold", type=int, required=True, help="fold whose held-out patients are clicked")
    p.add_argument("--split", default=str(ROOT / "models" / "idbll-light" / "split.json"))
    p.add_argument("--images", default=str(ROOT.parent / "shared" / "data" / "mias"))
    p.add_argument("--info", default=None, help="MIAS Info.txt (default: IMAGES/Info.txt)")
    p.add_argument("--offset-mm", type=float, default=4.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--allow-seen", action="store_true",
                   help="score a model trained on the fold's patients (development only; not a figure)")
    p.add_argument("--out", default=None, help="also write the JSON here")
    p.add_argument("--markdown", action="store_true", help="print the figures as a markdown table after the JSON")
    args = p.parse_args(argv)
    try:
        from mammoviewer.detect import Detector

        split = load_split(args.split)
        films = mias_films(args.images, args.info or Path(args.images) / "Info.txt")
        train_refs, val_refs = fold_refs(split, args.fold)
        detector = Detector.load(args.model)
        seen = set(detector.card.get("training", {}).get("train_patients", []))
        held_out = [f for f in films if f.ref in val_refs]
        if not args.allow_seen and any(f.patient in seen for f in held_out):
            raise DetectorError(f"{args.model}: trained on patients of fold {args.fold}; "
                                "give that fold's model (or --allow-seen for development)")
        locator = Locator(detector, LocateConfig(scales=(1.0, 2.0)))  # every variant's candidates
        locator.warm_up()
        doc = {"model": f"{detector.name} {detector.version}", "model_path": str(detector.path),
               "fold": args.fold, "split": args.split, "offset_mm": args.offset_mm, "seed": args.seed,
               "seen_patients_allowed": bool(args.allow_seen),
               **evaluate(locator, held_out, median_side_mm([f for f in films if f.ref in train_refs]),
                          args.offset_mm, args.seed)}
    except MammoViewerError as exc:
        print(f"locate_eval: error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(doc, indent=1)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    if args.markdown:
        print(markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())

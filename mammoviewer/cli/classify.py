"""``mammoviewer classify``: normal / benign / malignant probabilities per film.

The shipped case score combines the case classifier with the detector's findings when the
classifier's card carries the rule (``mammoviewer.classify.combined``): cross-validation showed
the detector's strongest findings rank films better than the classifier alone. When the patient's
other breast (same view) is found beside a film (``mammoviewer.io.pairing``: mini-MIAS numbering,
or DICOM PatientID, laterality and view in the same folder), the two films are compared
(``--single-film`` turns that off). ``--classifier-only`` gives the classifier's own probabilities.

``--json`` prints ``{"model": {...}, "images": [{"path", "probabilities": {"normal", "benign",
"malignant"}, "decision", "abnormal_score", "threshold"}], "other_breast": {path: the other film used, or
null}}``: the decision at the operating point of the rule used, as the viewer's case score box shows it
("normal" when ``abnormal_score`` = 1 - p(normal) is below ``threshold``). An unreadable file gives
one stderr line naming it; the others are still classified and the exit status is 2. An
unreadable other film gives a warning line and the film is scored alone. Without ``--json`` each film
gets a line with the decision at the operating point of the rule used (as the viewer shows it)
and the probabilities.
"""

from __future__ import annotations

import argparse
import json

from mammoviewer.errors import DetectorError, ImageReadError
from mammoviewer.progress import say, track


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="IMAGE", help="image files (PGM, DICOM, PNG, TIFF)")
    parser.add_argument("--model", default=None, metavar="M",
                        help="model folder or .keras file (default: the bundled models/case-classifier)")
    parser.add_argument("--detector", default=None, metavar="D",
                        help="detector for the combined case score (default: the bundled models/idbll-light)")
    parser.add_argument("--classifier-only", action="store_true",
                        help="the classifier's own probabilities, without the detector's findings")
    parser.add_argument("--single-film", action="store_true",
                        help="score each film alone, without comparing it with the other breast's film")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "gpu"), help="detector device")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.classify.case_score import case_probabilities
    from mammoviewer.classify.classifier import CaseClassifier
    from mammoviewer.density.guard import check_mammogram
    from mammoviewer.io import load_image

    clf = CaseClassifier.load(args.model)  # DetectorError -> one line, exit 2 (dispatcher)
    rule, detector = (None if args.classifier_only else clf.combined), None
    model = {"name": clf.name, "version": clf.version, "case_score": "classifier"}
    if rule is not None:
        from mammoviewer.detect import Detector

        detector = Detector.load(args.detector, device=args.device)
        model.update(case_score="combined", detector={"name": detector.name, "version": detector.version},
                     device=detector.device)
    results, others, decisions, failed = [], {}, {}, False
    cache: dict[str, list[float]] = {}
    for path in track(args.paths, "classify"):
        try:
            image = load_image(path)
            check_mammogram(image)  # NotMammogramError: a CT or a leg film is never scored "normal"
            probs, used = clf.predict(image), None
            if rule is not None and detector is not None:
                other = None if args.single_film or clf.paired is None else _other_breast(detector, image, cache)
                probs, used = case_probabilities(clf, detector, image, probs, cache, other)
                others[path] = str(other.path) if other is not None else None
        except (ImageReadError, DetectorError) as exc:  # this film only: a film the models cannot take
            failed = True
            say(f"mammoviewer: error: {exc}")  # above the progress bar, if one is drawn
            continue
        decider = used or clf  # the operating point of the rule used, as the viewer shows it
        decisions[path] = decider.decide(probs)
        results.append({"path": path, "probabilities": probs, "decision": decisions[path],
                        "abnormal_score": 1.0 - probs["normal"], "threshold": float(decider.threshold)})
    if args.json:
        doc = {"model": model, "images": results}
        if rule is not None:
            doc["other_breast"] = others
        print(json.dumps(doc))
    else:
        for r in results:
            p = r["probabilities"]
            pair = f"  (compared with {others[r['path']]})" if others.get(r["path"]) else ""
            print(f"{r['path']}: {decisions[r['path']]}  " + "  ".join(f"{k} {v:.3f}" for k, v in p.items()) + pair)
    return 2 if failed else 0


def _other_breast(detector, image, cache):
    """The other breast's film and scores; an unreadable one is a warning and the film is scored alone."""
    from mammoviewer.classify.case_score import other_breast

    try:
        return other_breast(detector, image, cache)
    except (ImageReadError, DetectorError) as exc:
        say(f"mammoviewer: warning: {image.path}: the other breast's film cannot be used, scored alone ({exc})")
        return None

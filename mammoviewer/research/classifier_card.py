"""The model card: cross-validation figures into ``card.json`` and a Markdown ``CARD.md``.

    python -m mammoviewer.research.classifier_card CV_JSON MODEL_DIR [--compare NAME=CV_JSON ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

KEYS = (
    ("auc_normal_vs_abnormal", "AUC normal vs abnormal"),
    ("auc_malignant_vs_rest", "AUC malignant vs rest"),
    ("accuracy", "accuracy (3 classes)"),
    ("sensitivity", "sensitivity (abnormal)"),
    ("specificity", "specificity"),
)


def figures_row(cv: dict) -> list[str]:
    return [f"{cv['mean_sd'][k]['mean']:.3f} ± {cv['mean_sd'][k]['sd']:.3f}" for k, _ in KEYS]


def cv_summary(cv: dict) -> dict:
    """The part of a cv.json that goes into card.json (no per-film probabilities)."""
    from mammoviewer.research.classifier_cv import pool_decisions

    cv["pooled"].update(pool_decisions(cv["folds"]))
    return {
        "split": Path(cv["split"]).as_posix().split("/models/")[-1],
        "settings": cv["settings"],
        "mean_sd": cv["mean_sd"],
        "folds": [{k: f[k] for k in ("fold", "films", *dict(KEYS))} for f in cv["folds"]],
        "pooled": cv["pooled"],
    }


def detector_section(res: dict) -> list[str]:
    """The comparison with the detector's top score (``compare.py`` output) as Markdown lines."""
    lines = ["### Against the detector's top score as the case score", ""]
    folds = [r for r in res["per_fold"] if "deferred" not in r]
    if not folds:
        return lines + [f"Deferred: {res['per_fold'][0]['deferred']}.", ""]
    lines += [
        "Each fold's films are scored by the detector (IDBLL) model trained with that fold held out (its own "
        "cross-validation models, same split), and by this classifier's model of the same fold: every film is "
        "unseen by both. Folds compared: "
        f"{', '.join(str(r['fold']) for r in folds)} ({sum(r['films'] for r in folds)} films). Case score of the "
        "detector: its highest finding score (any label; malignant findings only for malignant vs rest). "
        "Rank average: the mean of the two scores' ranks within the fold.",
        "",
        "| case score | AUC normal vs abnormal | AUC malignant vs rest |",
        "| --- | --- | --- |",
    ]
    summ = res["summary"]
    for key, name in (("classifier", "case classifier"), ("detector_top_score", "detector top score"),
                      ("rank_average", "rank average of both")):
        cells = [f"{summ[key][m]['mean']:.3f} ± {summ[key][m]['sd']:.3f}" if len(folds) > 1
                 else f"{summ[key][m]['mean']:.3f}" for m in ("auc_normal_vs_abnormal", "auc_malignant_vs_rest")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", ("Mean ± sd over the compared folds." if len(folds) > 1 else
                   "One fold only (54 films: an AUC has a standard error of about 0.08), so it cannot rank "
                   "these scores reliably."), ""]
    return lines


def cv_plots(cv: dict, detector: dict | None, folder: Path, labels: dict[str, int]) -> list[str]:
    """ROC PNGs of the out-of-fold scores (and of the detector on the compared folds); file names written."""
    import numpy as np

    from mammoviewer.classify.metrics import auc, roc_curve
    from mammoviewer.classify.plots import save_roc

    oof = cv["out_of_fold_probabilities"]["films"]
    refs = sorted(oof)
    y = np.array([labels[r] for r in refs])
    p = np.array([oof[r] for r in refs])
    written = []
    for name, pos, score, title in (("normal_vs_abnormal", y > 0, 1 - p[:, 0], "abnormal vs normal"),
                                    ("malignant_vs_rest", y == 2, p[:, 2], "malignant vs rest")):
        fpr, tpr, _ = roc_curve(pos, score)
        curves = [(f"classifier, all folds ({len(refs)}): AUC {auc(pos, score):.3f}", fpr, tpr)]
        if detector is not None:
            det = {ref: sc for r in detector["per_fold"] for ref, sc in r.get("detector_scores", {}).items()}
            sub = [i for i, r in enumerate(refs) if r in det]
            if sub:
                col = 0 if name == "normal_vs_abnormal" else 1
                ds = np.array([det[refs[i]][col] for i in sub])
                for label, sc in ((f"classifier, folds with detector ({len(sub)})", score[sub]),
                                  (f"detector top score ({len(sub)})", ds)):
                    f2, t2, _ = roc_curve(pos[sub], sc)
                    curves.append((f"{label}: AUC {auc(pos[sub], sc):.3f}", f2, t2))
        path = folder / f"roc_cv_{name}.png"
        save_roc(path, curves, f"Out-of-fold ROC: {title}")
        written.append(path.name)
    return written


def combined_section(card: dict) -> list[str]:
    """The shipped case score (card block ``case_score``, written by ``classify.combine_fit``)."""
    block = card.get("case_score")
    if not block:
        return []
    cv = block.get("cross_validation", {})
    m = cv.get("mean_sd", {})

    def ms(key: str) -> str:
        v = m.get(key)
        return f"{v['mean']:.3f} ± {v['sd']:.3f}" if v else "n/a"

    lines = [
        "### The shipped case score: detector findings + this classifier",
        "",
        "`mammoviewer classify`, `mammoviewer evaluate` and the viewer's Case score box give the combined case "
        "probabilities (`mammoviewer.classify.combined`; `mammoviewer classify --classifier-only` gives this "
        "network's own):",
        "",
        f"- p(abnormal) = sigmoid({block['slope']:.3f} x s {block['intercept']:+.3f}), where s is the sum of the "
        f"detector's {block.get('top_k', 3)} highest finding scores on the film (every candidate it returns at threshold 0);",
        "- p(malignant | abnormal) = this classifier's p(malignant) / (p(benign) + p(malignant));",
        f"- abnormal when p(abnormal) >= {block.get('threshold', 0.5):.3f} (the 0.8 quantile of the normal films' "
        "p(abnormal): a specificity target), else normal; an abnormal film is the likelier of benign and malignant.",
        "",
        f"Cross-validated on the same patient folds ({cv.get('films', '?')} films): every film is scored by the "
        "detector fold model" + (f" (with the test-time flips {', '.join(block['detector_tta'])}, as the bundled "
                                 "detector runs)" if block.get("detector_tta") else "")
        + " and the classifier fold model that never saw its patient, and for each fold the "
        "logistic rule and its threshold are fitted on the other four folds only. The rule above is then fitted "
        "on all out-of-fold scores.",
        "",
        "| case score | AUC normal vs abnormal | AUC malignant vs rest | accuracy (3 classes) | sensitivity (abnormal) "
        "| specificity |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    paired = block.get("contralateral")
    if paired:
        pm = paired.get("cross_validation", {}).get("mean_sd", {})

        def pms(key: str) -> str:
            v = pm.get(key)
            return f"{v['mean']:.3f} ± {v['sd']:.3f}" if v else "n/a"

        lines.append(f"| **with the other breast (shipped where it is found)** | {pms('auc_normal_vs_abnormal')} | "
                     f"{pms('auc_malignant_vs_rest')} | {pms('accuracy')} | {pms('sensitivity')} | {pms('specificity')} |")
    lines += [
        f"| **single film (shipped otherwise)** | {ms('auc_normal_vs_abnormal')} | {ms('auc_malignant_vs_rest')} | "
        f"{ms('accuracy')} | {ms('sensitivity')} | {ms('specificity')} |",
        "",
    ]
    if paired:
        lines += [
            "**With the other breast.** Readers compare the two breasts. When the same patient's other film of the same "
            "view is found beside the film (`mammoviewer.io.pairing`: mini-MIAS numbering mdb(2k-1)/mdb(2k), or DICOM "
            "PatientID, study, laterality and view in the same folder), s is the film's top-"
            f"{paired.get('top_k', 3)} sum minus the other film's, with its own fit: p(abnormal) = "
            f"sigmoid({paired['slope']:.3f} x s {paired['intercept']:+.3f}), abnormal when p(abnormal) >= "
            f"{paired.get('threshold', 0.5):.3f}. A finding both breasts show alike counts for less. Cross-validated the "
            "same way; both films of a patient are always in the same fold. `mammoviewer classify --single-film` "
            "scores each film alone; the JSON's `other_breast` names the film used for each path.",
            "",
        ]
    folds = block.get("detector_fold_models") or [".work/cv/fold0", "...", ".work/cv/fold4"]
    detectors = " ".join(f"--detector {f}" if f != "..." else f for f in folds)
    fitted = f" (fitted for {block['fitted_with_detector']})" if block.get("fitted_with_detector") else ""
    lines += [
        f"Reproduce{fitted}: python -m mammoviewer.research.case_score_fit --cv .work/classify-cv/p64w32e60/cv.json "
        f"{detectors} --tta {','.join(block.get('detector_tta') or ['none'])} --out combine.json --card "
        "models/case-classifier/card.json",
        "",
    ]
    return lines


def markdown(cv: dict, card: dict, compare: dict[str, dict], notes: list[str], detector: dict | None = None) -> str:
    s = cv["settings"]
    cm = cv["pooled"]["confusion_matrix"]["rows_true_columns_predicted"]
    head = "| model | " + " | ".join(label for _, label in KEYS) + " |"
    lines = [
        f"## Case classifier (`models/case-classifier`, {card.get('name')} {card.get('version')})",
        "",
        "Classifies a whole film as normal, benign or malignant (`mammoviewer classify`, "
        "`mammoviewer.classify.CaseClassifier`). "
        + ("A tiny CNNI-BCC-style network (two plain and three depthwise-separable convolutions, average "
           "pooling, global average + max pooling, one dense softmax layer; "
           f"{card.get('parameters', '?')} parameters) scores {s.get('patch')} x {s.get('patch')} windows "
           f"(stride {s.get('stride')}) of the film at {s.get('pixel_mm')} mm per pixel; the film's probabilities "
           f"are the mean over its {s.get('top_k')} most abnormal windows."
           if s.get("mode") == "patches" else
           "A tiny CNNI-BCC-style network sees the whole film."),
        "Input: the display pipeline (`mammoviewer.io.display.render`), resampled by pixel spacing with "
        "INTER_AREA (a MIAS film becomes 256 x 256), mirrored so the chest wall is on the left.",
        "",
        f"**Bundled model:** trained on all {card.get('trained_on_films')} films of the 135 shared MIAS patients. "
        "Every figure below comes from 5-fold patient-level cross-validation (split "
        f"`{Path(cv['split']).as_posix().split('/main/')[-1]}`, the detector's folds): each fold's model never saw "
        "the patients it is scored on. The bundled model itself has no held-out figure on the shared data; "
        "the 26 patients kept aside are its external test.",
        "",
        f"Operating threshold of the bundled model: abnormal when 1 - p(normal) >= "
        f"{card.get('operating_threshold', 0.5):.3f}. "
        + (f"It is the {s.get('spec_target')} quantile of the training normal films' scores (a specificity target "
           "on training films); in cross-validation each fold chose its threshold the same way on its own "
           "training films, never on validation films. The 3-class decision is: normal below the threshold, "
           "else the likelier of benign and malignant."
           if s.get("spec_target") is not None else "Fixed in advance, not tuned on validation films."),
        "",
    ]
    lines += combined_section(card)
    lines += [
        "### 5-fold patient-level cross-validation of the classifier alone (mean ± sd over folds)",
        "",
        head,
        "|" + " --- |" * (len(KEYS) + 1),
        "| **this model** | " + " | ".join(figures_row(cv)) + " |",
    ]
    for name, other in compare.items():
        lines.append(f"| {name} | " + " | ".join(figures_row(other)) + " |")
    lines += [
        "",
        "Pooled confusion matrix over the 5 validation folds (rows: truth, columns: the decision at each fold's "
        "operating threshold):",
        "",
        "| true \\ predicted | normal | benign | malignant |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {c} | " + " | ".join(str(v) for v in row) + " |" for c, row in zip(("normal", "benign", "malignant"), cm)]
    p = cv["pooled"]
    lines += [
        "",
        f"Pooled over all {p['films']} out-of-fold films: AUC normal vs abnormal {p['auc_normal_vs_abnormal']:.3f}, "
        f"malignant vs rest {p['auc_malignant_vs_rest']:.3f}; accuracy {p['accuracy']:.3f}, sensitivity "
        f"{p['sensitivity']:.3f}, specificity {p['specificity']:.3f}.",
        "",
    ]
    if detector is not None:
        lines += detector_section(detector)
    if card.get("plots"):
        lines += ["ROC curves of the out-of-fold scores (pooled over folds): "
                  + ", ".join(f"`{name}`" for name in card["plots"]) + ".", ""]
    if notes:
        lines += ["### Notes and limits", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.classifier_card")
    ap.add_argument("cv")
    ap.add_argument("model_dir")
    ap.add_argument("--compare", action="append", default=[], metavar="NAME=CV_JSON")
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--detector", default=None, metavar="COMPARE_JSON", help="output of classify.compare")
    a = ap.parse_args(argv)
    cv = json.loads(Path(a.cv).read_text())
    card_path = Path(a.model_dir) / "card.json"
    card = json.loads(card_path.read_text())
    compare = {}
    for item in a.compare:
        name, path = item.split("=", 1)
        compare[name] = json.loads(Path(path).read_text())
    card["cross_validation"] = cv_summary(cv)
    card["compared"] = {name: {"mean_sd": c["mean_sd"], "settings": c.get("settings")} for name, c in compare.items()}
    detector = json.loads(Path(a.detector).read_text()) if a.detector else None
    from mammoviewer.classify.data import case_films

    from mammoviewer.io.mias import DEFAULT_MIAS_DIR as images
    labels = {f.ref: f.label_index for f in case_films(images, images / "Info.txt")}
    card["plots"] = cv_plots(cv, detector, Path(a.model_dir), labels)
    if detector is not None:
        card["detector_comparison"] = {
            "summary": detector["summary"],
            "per_fold": [{k: v for k, v in r.items() if k != "detector_scores"} for r in detector["per_fold"]],
        }
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    (Path(a.model_dir) / "CARD.md").write_text(markdown(cv, card, compare, a.note, detector))
    return 0


if __name__ == "__main__":
    sys.exit(main())

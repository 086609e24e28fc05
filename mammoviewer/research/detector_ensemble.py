"""Average several trained SSDs of the same anchor layout into one saved model.

The members' raw outputs (class logits and box offsets) are averaged anchor by anchor, as the
test-time flips are. Each member sees the input planes it was trained on: the ensemble takes the
union of its members' planes (film first) and hands a member its own through a fixed 1x1
projection, so the saved model holds stock Keras layers only and loads with ``safe_mode=True``.

    python -m mammoviewer.research.detector_ensemble --member A --member B --out DIR [--name NAME] [--version V]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from mammoviewer.detect.detector import CARD_FILE, MODEL_FILE
from mammoviewer.detect.training import SPLIT_FILE
from mammoviewer.errors import DetectorError


def union_inputs(members: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Every plane any member takes, film first, in the order they first appear."""
    from mammoviewer.detect.preprocess import check_inputs

    out: list[str] = []
    for planes in members:
        out += [p for p in planes if p not in out]
    try:
        return check_inputs(out)
    except ValueError as exc:
        raise DetectorError(f"ensemble members: {exc}") from exc


def selection(inputs: tuple[str, ...], member: tuple[str, ...]) -> np.ndarray:
    """The 1x1 kernel ``[1, 1, len(inputs), len(member)]`` that picks ``member``'s planes from ``inputs``."""
    k = np.zeros((1, 1, len(inputs), len(member)), dtype=np.float32)
    for j, name in enumerate(member):
        k[0, 0, inputs.index(name), j] = 1.0
    return k


def build_ensemble(models: list, member_inputs: list[tuple[str, ...]]):
    """One Keras model averaging ``models`` (each renamed ``member{i}``) on the union of their inputs."""
    from mammoviewer.keras_runtime import keras

    layers = keras.layers
    if len(models) < 2:
        raise DetectorError("an ensemble needs at least two members")
    inputs = union_inputs(member_inputs)
    inp = keras.Input(shape=(None, None, len(inputs)), name="image")
    outs, picks = [], []
    for i, (model, planes) in enumerate(zip(models, member_inputs)):
        member = keras.Model(model.inputs[0], model.outputs[0], name=f"member{i}")
        x = inp
        if tuple(planes) != inputs:
            pick = layers.Conv2D(len(planes), 1, use_bias=False, trainable=False, name=f"member{i}_planes")
            x = pick(x)
            picks.append((pick, selection(inputs, tuple(planes))))
        outs.append(member(x))
    out = layers.Average(name="predictions")(outs)
    ensemble = keras.Model(inp, out, name="idbll_ensemble")
    for pick, kernel in picks:
        pick.set_weights([kernel])
    return ensemble, inputs


def _load(path: Path) -> tuple[object, dict]:
    from mammoviewer.keras_runtime import keras
    from mammoviewer.detect.detector import resolve_model_paths

    model_path, card_path = resolve_model_paths(path)
    try:
        card = json.loads(card_path.read_text())
        return keras.models.load_model(model_path, compile=False, safe_mode=True), card
    except Exception as exc:  # a broken card or model file: keras raises many types
        raise DetectorError(f"{model_path}: cannot load the ensemble member ({type(exc).__name__}: {exc})") from exc


def write_ensemble(members: list[str | Path], out: str | Path, name: str | None = None,
                   version: str | None = None) -> Path:
    """Load ``members``, check they share pixel size and anchors, and write ``out``/model.keras + card."""
    loaded = [_load(Path(m)) for m in members]
    cards = [c for _, c in loaded]
    for key in ("pixel_mm", "anchors", "labels"):
        if any(c.get(key) != cards[0].get(key) for c in cards[1:]):
            raise DetectorError(f"ensemble members differ in {key!r}; they must share it")
    member_inputs = [tuple(c.get("inputs") or ("film",)) for c in cards]
    model, inputs = build_ensemble([m for m, _ in loaded], member_inputs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from mammoviewer.detect.light_export import save_model

    save_model(model, out / MODEL_FILE)  # and its ONNX twin, from the same save
    card = {k: v for k, v in cards[0].items() if k not in ("training", "metrics", "threshold_note", "version")}
    card.update(name=name or out.name, version=version or "1.0", backbone=cards[0].get("backbone", "light"),
                inputs=list(inputs), ensemble=[{"path": str(m), "inputs": list(p), "name": c.get("name"),
                                                "training": c.get("training")}
                                               for m, p, c in zip(members, member_inputs, cards)])
    folds = {(c.get("training") or {}).get("fold_held_out") for c in cards}
    card["training"] = {"fold_held_out": folds.pop() if len(folds) == 1 else None,
                        "members": len(cards), "params": int(model.count_params())}
    seen = [(c.get("training") or {}).get("train_patients") for c in cards]
    if all(s is not None for s in seen):  # the leak checks of evaluate and the research tools read this
        card["training"]["train_patients"] = sorted({p for s in seen for p in s})
    (out / CARD_FILE).write_text(json.dumps(card, indent=1) + "\n")
    split = Path(members[0]) / SPLIT_FILE if Path(members[0]).is_dir() else Path(members[0]).parent / SPLIT_FILE
    if split.is_file():
        (out / SPLIT_FILE).write_text(split.read_text())
    return out / MODEL_FILE


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mammoviewer.research.detector_ensemble", description=__doc__.split("\n")[0])
    ap.add_argument("--member", action="append", required=True, help="a member model (file or folder); repeat")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", default=None)
    ap.add_argument("--version", default=None)
    args = ap.parse_args(argv)
    try:
        path = write_ensemble(args.member, args.out, args.name, args.version)
    except DetectorError as exc:
        print(f"ensemble: error: {exc}", file=sys.stderr)
        return 2
    print(f"ensemble: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

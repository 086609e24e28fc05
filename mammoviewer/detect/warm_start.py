"""Start training from another trained model's weights (say a MIAS + DDSM model, fine-tuned on MIAS).

The started model's card keeps the patients the first model was trained on, per source, so the leak checks of
``evaluate`` and the fold figures see every patient either training saw.
"""

from __future__ import annotations

import json
from pathlib import Path

from mammoviewer.errors import DetectorError


def init_paths(init: str | Path) -> tuple[Path, Path]:
    """(model.keras, model.json) of a model folder or a .keras file beside its card."""
    path = Path(init)
    model = path / "model.keras" if path.is_dir() else path
    card = model.with_name("model.json")
    if not model.is_file() or not card.is_file():
        raise DetectorError(f"{init}: --init must name a trained model (a folder with model.keras and model.json)")
    return model, card


def load_init(model, init: str | Path) -> dict:
    """Set ``model``'s weights to those of the model ``init``; returns what the new card says of it."""
    from mammoviewer.keras_runtime import keras

    path, card_path = init_paths(init)
    try:
        card = json.loads(card_path.read_text())
        source = keras.models.load_model(path, safe_mode=True, compile=False)
    except (OSError, ValueError, TypeError) as exc:
        raise DetectorError(f"{path}: cannot be loaded to start from ({exc})") from exc
    mine, theirs = model.get_weights(), source.get_weights()
    if [w.shape for w in mine] != [w.shape for w in theirs]:
        raise DetectorError(f"{path}: its network differs from the one being trained (backbone, width or input "
                            "planes); --init needs the same network")
    model.set_weights(theirs)
    training = card.get("training", {})
    by_source = training.get("train_patients_by_source") or {"mias": training.get("train_patients", [])}
    return {"model": str(path), "name": card.get("name"), "version": card.get("version"),
            "train_patients_by_source": by_source, "datasets": card.get("datasets", {})}


def merge_patients(extra: dict, init: dict) -> None:
    """Add the first model's training patients to ``extra``'s, per source (MIAS ones also to train_patients)."""
    def order(p):
        return (isinstance(p, str), p)

    merged: dict[str, list] = {}
    for src in (extra.get("train_patients_by_source", {}), init["train_patients_by_source"]):
        for name, patients in src.items():
            merged[name] = sorted(set(merged.get(name, [])) | set(patients), key=order)
    extra["train_patients_by_source"] = merged
    extra["train_patients"] = sorted(set(extra.get("train_patients", [])) | set(merged.get("mias", [])), key=order)
    extra["sources"] = sorted(set(extra.get("sources", [])) | set(merged))
    extra["init"] = {k: init[k] for k in ("model", "name", "version")}

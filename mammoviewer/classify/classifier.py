"""``CaseClassifier``: load the bundled (or a given) case classifier and score one film.

A model folder holds ``model.keras`` (stock Keras layers only, loaded with ``safe_mode=True``), its
ONNX twin ``model.onnx`` (run without TensorFlow, see ``mammoviewer.detect.light_runtime``) and
``card.json`` (name, version, input pixel size and side, operating threshold, figures).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mammoviewer.classify.combined import CombinedRule
from mammoviewer.classify.metrics import CLASSES
from mammoviewer.errors import DetectorError
from mammoviewer.io.image import Image

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "case-classifier"
MODEL_FILE = "model.keras"
CARD_FILE = "card.json"
#: where the classifier's weights come from, and the terms they inherit from their data
WEIGHTS_ORIGIN = ("no pretrained weights: trained from random initialisation on the mini-MIAS films in "
                  "trained_on_refs; mini-MIAS is licensed for research use only (MIAS licence agreement, "
                  "resources/samples/README.md), and so is a model trained on it")
NAME = "case-classifier"
VERSION = "1.0"


def resolve_model_paths(path: str | Path | None) -> tuple[Path, Path]:
    """(model file, card file) for a folder or a ``.keras`` file; ``None`` is the bundled model."""
    p = Path(path) if path is not None else DEFAULT_MODEL_DIR
    if p.is_dir():
        return p / MODEL_FILE, p / CARD_FILE
    return p, p.parent / CARD_FILE


@dataclass(eq=False)
class CaseClassifier:
    """A loaded case classifier; ``predict(image)`` gives ``{"normal", "benign", "malignant"}`` probabilities."""

    model: Any
    name: str = NAME
    version: str = VERSION
    pixel_mm: float = 0.8
    size: int = 256
    threshold: float = 0.5  # operating point on the abnormal score 1 - p(normal)
    mode: str = "film"  # "film": the model sees the whole film; "patches": windows aggregated to the film
    patches: dict = field(default_factory=dict)
    path: str = ""
    card: dict = field(default_factory=dict)
    #: the shipped case score combines this model with the detector's findings (None: this model alone)
    combined: CombinedRule | None = None
    #: the same, comparing the film with the patient's other breast (None: no such rule)
    paired: CombinedRule | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> "CaseClassifier":
        """Load a model folder or ``.keras`` file (default: the bundled model); ``DetectorError`` if unusable."""
        model_file, card_file = resolve_model_paths(path)
        if not model_file.is_file():
            raise DetectorError(f"{model_file}: case classifier model not found (pass --model FOLDER_OR_FILE)")
        if model_file.suffix != ".keras":
            raise DetectorError(f"{model_file}: not a Keras model file (expected a .keras file or its folder)")
        card: dict = {}
        if card_file.is_file():
            try:
                card = json.loads(card_file.read_text())
            except ValueError as exc:
                raise DetectorError(f"{card_file}: not valid JSON ({exc})") from exc
        from mammoviewer.detect.archive import check_archive

        check_archive(model_file, "case classifier")
        from mammoviewer import keras_runtime
        from mammoviewer.detect import light_runtime

        model = light_runtime.open_twin(model_file, "cpu", keras_runtime.requested_threads())
        if model is None:  # no usable ONNX twin (a one-line note said why): through TensorFlow
            try:
                model = keras_runtime.load_keras().saving.load_model(model_file, compile=False, safe_mode=True)
            except Exception as exc:  # keras raises many types for a broken or foreign file
                raise DetectorError(f"{model_file}: cannot load the case classifier ({type(exc).__name__}: {exc})") from exc
        shape = tuple(model.input_shape)
        if len(shape) != 4 or shape[1] != shape[2] or shape[3] != 1 or tuple(model.output_shape)[-1] != len(CLASSES):
            raise DetectorError(f"{model_file}: not a case classifier (input {shape}, output {model.output_shape})")
        inp = card.get("input", {})
        mode = str(card.get("mode", "film"))
        patches = dict(card.get("patches", {}))
        if mode == "patches" and int(patches.get("patch", -1)) != shape[1]:
            raise DetectorError(f"{card_file}: patch size {patches.get('patch')} does not match the model input {shape}")
        return cls(
            model=model,
            name=str(card.get("name", NAME)),
            version=str(card.get("version", VERSION)),
            pixel_mm=float(inp.get("pixel_mm", 0.8)),
            size=int(inp.get("size", shape[1])) if mode == "patches" else int(shape[1]),
            mode=mode,
            patches=patches,
            threshold=float(card.get("operating_threshold", 0.5)),
            path=str(model_file),
            card=card,
            combined=CombinedRule.from_card(card),
            paired=CombinedRule.paired_from_card(card),
        )

    def case_rule(self, with_other_breast: bool) -> CombinedRule | None:
        """The combined rule to use: the contralateral one when the other breast's findings are at
        hand and the card has it, else the single-film one (None: the classifier alone)."""
        return self.paired if with_other_breast and self.paired is not None else self.combined

    def warm_up(self) -> None:
        """Score a small blank film once, so the first real film only computes."""
        blank = Image(path="warm-up", format="pgm", pixels=np.zeros((256, 256), np.uint8), bits_stored=8,
                      pixel_spacing_mm=(0.8, 0.8))
        self.predict(blank)

    def predict_array(self, x: np.ndarray) -> np.ndarray:
        """``[N, 3]`` probabilities of prepared inputs ``[N, size, size]`` (mean with the vertical mirror)."""
        if self.mode == "patches":
            from mammoviewer.classify.patches import PatchSettings, predict_films

            s = PatchSettings(**{k: (bool(v) if k == "standardise" else int(v)) for k, v in self.patches.items()})
            return predict_films(self.model, x, s)
        from mammoviewer.classify.training import predict

        return predict(self.model, x)

    def predict(self, image: Image) -> dict[str, float]:
        """Probabilities of normal / benign / malignant for one loaded film (they sum to 1)."""
        from mammoviewer.classify.preprocess import prepare

        x = prepare(image, self.pixel_mm, self.size).pixels[None]
        p = self.predict_array(x)[0]
        p = p / p.sum()
        return {c: float(v) for c, v in zip(CLASSES, p)}

    def decide(self, probabilities: dict[str, float]) -> str:
        """The class at the card's operating point: "normal" if 1 - p(normal) < ``threshold``, else the
        likelier of "benign" and "malignant"."""
        if 1.0 - probabilities["normal"] < self.threshold:
            return "normal"
        return "malignant" if probabilities["malignant"] > probabilities["benign"] else "benign"


def save_classifier(
    model: Any,
    folder: str | Path,
    pixel_mm: float,
    size: int,
    threshold: float,
    trained_on: list[str],
    history: dict | None = None,
    extra: dict | None = None,
    mode: dict | None = None,
) -> Path:
    """Write ``model.keras`` and ``card.json`` (kept fields of an existing card are updated, not lost)."""
    from mammoviewer.detect.light_export import save_model

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_model(model, folder / MODEL_FILE)  # and its ONNX twin, from the same save
    card_path = folder / CARD_FILE
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    card.update(
        name=NAME,
        version=VERSION,
        classes=list(CLASSES),
        input={"pixel_mm": pixel_mm, "size": size, "orientation": "chest wall on the left",
               "pipeline": "mammoviewer.io.display.render, INTER_AREA resample"},
        operating_threshold=threshold,
        trained_on_films=len(trained_on),
        trained_on_refs=sorted(trained_on),
        parameters=int(model.count_params()),
        weights_origin=WEIGHTS_ORIGIN,
    )
    if mode is not None:
        card["mode"] = mode.get("mode", "film")
        if card["mode"] == "patches":
            card["patches"] = {k: mode[k] for k in ("patch", "stride", "top_k", "standardise")}
    if history is not None:
        card["training"] = {"settings": history.get("settings"), "loss_first_last": [history["loss"][0], history["loss"][-1]]}
    card.update(extra or {})
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    return folder / MODEL_FILE

"""The detector the viewer and the CLI call: load once, one forward pass per film."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mammoviewer import keras_runtime
from mammoviewer.detect import light_runtime
from mammoviewer.detect.archive import check_archive
from mammoviewer.detect.input_guard import check_card
from mammoviewer.detect.logistic import LogisticRule
from mammoviewer.detect.anchors import AnchorSpec, flip_index_for, generate_anchors
from mammoviewer.detect.postprocess import FLIPS, PostConfig, merge_flipped, merge_scales, postprocess
from mammoviewer.detect.preprocess import ModelInput, check_inputs, prepare, to_original_frame
from mammoviewer.errors import DetectorError
from mammoviewer.io.image import Image
from mammoviewer.messages import clean_message

MODEL_FILE, CARD_FILE = "model.keras", "model.json"


@dataclass(frozen=True)
class FirstStage:
    """The SSD's findings on one film before any threshold, in the opened image's pixels, best first."""

    input: ModelInput
    boxes: np.ndarray
    classes: np.ndarray
    scores: np.ndarray
    breast: np.ndarray | None  # the breast mask over the opened image's area (model pixels), if computed


@dataclass(frozen=True, slots=True)
class Detection:
    """One finding: ``box`` = (x0, y0, x1, y1) in the opened image's pixels, origin top-left."""

    box: tuple[float, float, float, float]
    label: str  # "benign" or "malignant"
    score: float


class DetectionCancelled(DetectorError):
    """``detect`` stopped because its cancel event was set."""


def default_model_path() -> Path:
    """The bundled model: ``models/idbll-light/model.keras`` at the project root."""
    return Path(__file__).resolve().parents[2] / "models" / "idbll-light" / MODEL_FILE


def resolve_model_paths(path: str | Path | None) -> tuple[Path, Path]:
    p = Path(path) if path is not None else default_model_path()
    model = p / MODEL_FILE if p.is_dir() else p
    if not model.is_file():
        raise DetectorError(f"{model}: model file not found (train one with 'mammoviewer train')")
    card = model.with_name(CARD_FILE) if model.name == MODEL_FILE else model.with_suffix(".json")
    if not card.is_file():
        raise DetectorError(f"{card}: model card not found next to {model.name}")
    return model, card


def _load_keras(model_path: Path, device: str):
    """(Keras model, backend device, device name) of a ``.keras`` file, through TensorFlow (or JAX)."""
    dev, dev_name = keras_runtime.pick_device(device)
    from mammoviewer.keras_runtime import keras

    try:
        model = keras.models.load_model(model_path, compile=False, safe_mode=True)
    except Exception as exc:  # keras raises many types for a broken file
        raise DetectorError(f"{model_path}: cannot load the model ({type(exc).__name__}: "
                            f"{clean_message(exc)})") from exc
    return model, dev, dev_name


class Detector:
    """A loaded IDBLL model. Create with :meth:`load`; call :meth:`detect` per image."""

    def __init__(self, model, card: dict, device: str, device_name: str, path: Path) -> None:
        self._model = model
        self.card = card
        self.path = path
        self.name: str = str(card.get("name", path.parent.name))
        self.version: str = str(card.get("version", "0"))
        self.device: str = device_name
        self.default_threshold: float = float(card.get("default_threshold", 0.5))
        self.pixel_size_mm: float = float(card["pixel_mm"])
        self.spec = AnchorSpec.from_dict(card["anchors"])
        self.labels: tuple[str, ...] = tuple(card.get("labels", ("benign", "malignant")))
        #: input planes (card ``"inputs"``; models without it take the film alone)
        try:
            self.inputs: tuple[str, ...] = check_inputs(card.get("inputs") or ("film",))
        except ValueError as exc:
            raise DetectorError(f"{path}: {exc}") from exc
        cross, contained = card.get("cross_class_iou"), card.get("containment")
        self.post = PostConfig(nms_iou=float(card.get("nms_iou", 0.45)),
                               max_detections=int(card.get("max_detections", 100)),
                               cross_class_iou=None if cross is None else float(cross),
                               score_mode=str(card.get("score_mode", "class")),
                               containment=None if contained is None else float(contained))
        #: test-time augmentation (card ``"tta"``): flips of the film whose outputs are averaged with its own
        self.tta: tuple[str, ...] = tuple(card.get("tta") or ())
        if any(t not in FLIPS for t in self.tta):
            raise DetectorError(f"{path}: unknown test-time augmentation {self.tta!r} in the model card "
                                f"(known: {', '.join(FLIPS)})")
        #: test-time scales (card ``"scales"``, default ``[1]``): the film is also run at ``pixel_mm / s`` for
        #: each ``s`` and the findings of all scales are merged by the card's suppression
        scales = card.get("scales") or (1.0,)
        if not isinstance(scales, (list, tuple)) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0.25 <= v <= 4 for v in scales):
            raise DetectorError(f"{path}: model card field 'scales' is {scales!r}; it must be a list of "
                                f"numbers in 0.25..4")
        self.scales: tuple[float, ...] = tuple(float(v) for v in scales)
        #: drop findings whose centre is outside the breast (card ``"breast_mask"``, default off)
        self.breast_mask: bool = bool(card.get("breast_mask", False))
        self.last_mask: np.ndarray | None = None
        #: the second stage's rule (card ``"second_stage"``), or None for the SSD alone
        self.second_stage = None
        self.second_stage_clusters = True
        if card.get("second_stage") is not None:
            from mammoviewer.detect import second_stage

            try:
                self.second_stage = LogisticRule.from_dict(card["second_stage"], second_stage.FEATURES)
                self.second_stage_clusters = bool(card["second_stage"].get("clusters", True))
            except (ValueError, TypeError) as exc:
                raise DetectorError(f"{path}: {exc}") from exc
        self._device = device
        self._fn = None
        self._lock = threading.Lock()
        self.last_input: ModelInput | None = None
        #: a model taking the ``"contralateral"`` plane looks for the other breast's film (False: never)
        self.use_other_film: bool = True

    @classmethod
    def load(cls, path: str | Path | None = None, device: str = "auto") -> "Detector":
        """Load a model (a ``.keras`` file or its folder; default: the bundled one).

        Its ONNX twin (``model.onnx``) runs on ONNX Runtime when it is there and was written from this
        ``.keras`` file; otherwise, after a one-line note on stderr, the ``.keras`` file loads through
        Keras/TensorFlow with ``safe_mode``. The forward pass runs once here, so the first film only computes.
        """
        model_path, card_path = resolve_model_paths(path)
        try:
            card = json.loads(card_path.read_text())
            card["pixel_mm"], card["anchors"]
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise DetectorError(f"{card_path}: not a readable model card ({exc})") from exc
        check_archive(model_path)
        check_card(card, card_path)
        if device not in keras_runtime.DEVICES:
            raise DetectorError(f"unknown device {device!r}; choose auto, cpu or gpu")
        model = light_runtime.open_twin(model_path, device, keras_runtime.requested_threads())
        if model is not None:
            dev, dev_name = "", model.device_name
        else:  # no usable ONNX twin: the .keras file through TensorFlow, as before
            model, dev, dev_name = _load_keras(model_path, device)
        try:
            detector = cls(model, card, dev, dev_name, model_path)
        except (KeyError, TypeError, ValueError) as exc:
            raise DetectorError(f"{card_path}: model card does not fit the model ({type(exc).__name__}: "
                                f"{clean_message(exc)})") from exc
        m = detector.spec.multiple  # trace the forward pass now, so the first film is not slower
        detector._forward(np.zeros((1, m, m, len(detector.inputs)), dtype=np.float32))
        return detector

    @property
    def runtime(self) -> str:
        """What runs the network: "ONNX Runtime" or "TensorFlow"/"JAX" (the Keras backend)."""
        if isinstance(self._model, light_runtime.LightModel):
            return light_runtime.RUNTIME
        return {"tensorflow": "TensorFlow", "jax": "JAX"}.get(keras_runtime.backend(), keras_runtime.backend())

    def _forward(self, x: np.ndarray) -> np.ndarray:
        if isinstance(self._model, light_runtime.LightModel):
            return self._model(x)
        tf = keras_runtime.tensorflow()
        if tf is None:
            return np.asarray(self._model(x, training=False))

        with self._lock:
            if self._fn is None:
                model = self._model
                self._fn = tf.function(lambda t: model(t, training=False), reduce_retracing=True,
                                       input_signature=[tf.TensorSpec([None, None, None, len(self.inputs)],
                                                                      tf.float32)])
        with tf.device(self._device):
            return self._fn(tf.constant(x)).numpy()

    def warm_up(self) -> None:
        """Run the whole pipeline once on a small blank film, so the first real film only computes."""
        blank = Image(path="warm-up", format="pgm", pixels=np.zeros((256, 256), np.uint8), bits_stored=8,
                      pixel_spacing_mm=(0.4, 0.4))
        self.detect(blank, threshold=1.0)

    def first_stage(self, image: Image, cancel: threading.Event | None = None, threshold: float = 0.0,
                    for_second_stage: bool | None = None) -> FirstStage:
        """The SSD's findings with score >= ``threshold``, the breast mask applied when the card asks for it.
        ``for_second_stage`` (default: when the card has one) also keeps the rendering and the breast mask.
        Raises :class:`DetectionCancelled` if ``cancel`` is set."""
        def check() -> None:
            if cancel is not None and cancel.is_set():
                raise DetectionCancelled(f"{image.path}: detection cancelled")

        check()
        if for_second_stage is None:
            for_second_stage = self.second_stage is not None
        parts, first = [], None
        for scale in self.scales:
            mi, boxes, classes, scores, full = self._at_scale(image, self.pixel_size_mm / scale, threshold,
                                                              for_second_stage and first is None, check)
            parts.append((boxes, classes, scores))
            if first is None:  # the card's first scale gives the input, the mask and the rendering
                first = (mi, full)
        mi, full = first
        self.last_input = replace(mi, rendered=None)
        mask = None
        if full is not None:
            self.last_mask = full
            mask = full[:int(round(mi.height * mi.scale_y)), :int(round(mi.width * mi.scale_x))]
        boxes, classes, scores = parts[0] if len(parts) == 1 else merge_scales(parts, self.post)
        return FirstStage(mi, boxes, classes, scores, mask)

    def _at_scale(self, image: Image, pixel_mm: float, threshold: float, keep_rendered: bool, check):
        """The SSD's findings with the film at ``pixel_mm``: (input, boxes in the image's pixels, classes,
        scores, the breast mask over the padded input or None)."""
        mi = prepare(image, pixel_mm, self.spec.multiple, self.inputs, keep_rendered=keep_rendered,
                     find_other=self.use_other_film)
        check()
        boxes, classes, scores = self.detect_planes(mi.stack, threshold)
        check()
        full = None
        if self.breast_mask or keep_rendered:
            from mammoviewer.detect.breast_mask import breast_mask, centres_inside

            valid = (int(round(mi.height * mi.scale_y)), int(round(mi.width * mi.scale_x)))
            full = breast_mask(mi.array, pixel_mm, valid=valid)  # padding is never breast
            if self.breast_mask:
                inside = centres_inside(boxes, full)
                boxes, classes, scores = boxes[inside], classes[inside], scores[inside]
        return mi, to_original_frame(boxes, mi), classes, scores, full

    def detect(self, image: Image, threshold: float = 0.0,
               cancel: threading.Event | None = None) -> list[Detection]:
        """Findings with score >= ``threshold`` (at most ``max_detections``), best first.

        Raises :class:`DetectionCancelled` if ``cancel`` is set before the work is done.
        """
        first = self.first_stage(image, cancel, 0.0 if self.second_stage is not None else threshold)
        boxes, classes, scores = first.boxes, first.classes, first.scores
        if self.second_stage is not None:
            from mammoviewer.detect import second_stage

            if cancel is not None and cancel.is_set():
                raise DetectionCancelled(f"{image.path}: detection cancelled")
            mi = first.input
            cands = second_stage.candidates(mi.rendered, mi.spacing_mm, first.breast, boxes, classes, scores,
                                            self.second_stage_clusters)
            boxes, classes, scores = second_stage.rescore(cands, self.second_stage, self.post.containment,
                                                          self.post.max_detections)
            keep = scores >= threshold
            boxes, classes, scores = boxes[keep], classes[keep], scores[keep]
        return [
            Detection(tuple(float(v) for v in b), self.labels[int(c) - 1], float(s))  # type: ignore[arg-type]
            for b, c, s in zip(boxes, classes, scores)
            if b[2] > b[0] and b[3] > b[1]
        ]

    def detect_planes(self, stack: np.ndarray, threshold: float = 0.0,
                      post: PostConfig | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One forward pass (with the card's test-time flips) and post-processing (default: the card's) on
        prepared input planes ``[H, W, C]`` (sides multiples of ``spec.multiple``): (boxes in the planes'
        pixels, class ids 1.., scores), best first."""
        x = np.asarray(stack, dtype=np.float32)[None]
        flips = [FLIPS[t] for t in self.tta]
        x = np.concatenate([x] + [x[:, ::-1 if v else 1, ::-1 if h else 1] for h, v in flips], axis=0)
        out = self._forward(np.ascontiguousarray(x))
        height, width = stack.shape[:2]
        anchors = generate_anchors(height, width, self.spec)
        raw = out[0]
        if flips:
            raw = merge_flipped(raw, [(o, flip_index_for(height, width, self.spec, h, v), h, v)
                                      for o, (h, v) in zip(out[1:], flips)], len(self.labels) + 1)
        cfg = replace(post or self.post, score_threshold=float(threshold))
        return postprocess(raw, anchors, len(self.labels) + 1, self.spec.variances, cfg)

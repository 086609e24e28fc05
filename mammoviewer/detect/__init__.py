"""IDBLL, the lesion detector: an SSD (Keras 3) that finds benign and malignant lesions on whole films.

Public API::

    from mammoviewer.detect import Detector, Detection, default_model_path
    detector = Detector.load()            # the bundled model, loaded once
    findings = detector.detect(image)     # list[Detection], boxes in the image's pixel frame

A model runs on ONNX Runtime from its twin ``model.onnx`` (``light_runtime``); Keras/TensorFlow are imported
only when a model is built, trained, or loaded without a usable twin.
"""

from __future__ import annotations

from mammoviewer import keras_runtime

keras_runtime.configure_environment()  # before anything can load TensorFlow

from mammoviewer.detect.detector import (  # noqa: E402
    DetectionCancelled,
    Detection,
    Detector,
    default_model_path,
)

__all__ = ["Detection", "DetectionCancelled", "Detector", "default_model_path"]

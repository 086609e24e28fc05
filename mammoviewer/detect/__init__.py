"""IDBLL, the lesion detector: an SSD (Keras 3) that finds benign and malignant lesions on whole films.

Public API::

    from mammoviewer.detect import Detector, Detection, default_model_path
    detector = Detector.load()            # the bundled model, loaded once
    findings = detector.detect(image)     # list[Detection], boxes in the image's pixel frame

Keras/TensorFlow are imported only when a model is built or loaded.
"""

from __future__ import annotations

import os

# TensorFlow's C++ start-up chatter would otherwise land on the CLI's stderr.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# oneDNN kernels deadlocked now and then when the model ran on a worker thread of a busy machine.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from mammoviewer.detect.detector import (  # noqa: E402
    DetectionCancelled,
    Detection,
    Detector,
    default_model_path,
)

__all__ = ["Detection", "DetectionCancelled", "Detector", "default_model_path"]

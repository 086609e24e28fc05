"""Case classifier (normal / benign / malignant per film), Qt-free; Keras is imported lazily.

``from mammoviewer.classify import CaseClassifier; CaseClassifier.load().predict(image)``
"""

from __future__ import annotations

import os
from typing import Any

# oneDNN kernels deadlocked now and then when a model ran on a worker thread of a busy machine.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CLASSES = ("normal", "benign", "malignant")

__all__ = ["CLASSES", "CaseClassifier", "evaluate_classifier"]


def __getattr__(name: str) -> Any:
    if name == "CaseClassifier":
        from mammoviewer.classify.classifier import CaseClassifier

        return CaseClassifier
    if name == "evaluate_classifier":
        from mammoviewer.classify.evaluate import evaluate_classifier

        return evaluate_classifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Case classifier (normal / benign / malignant per film), Qt-free; Keras is imported lazily.

``from mammoviewer.classify import CaseClassifier; CaseClassifier.load().predict(image)``
"""

from __future__ import annotations

from typing import Any

from mammoviewer import keras_runtime

keras_runtime.configure_environment()  # before anything can load TensorFlow

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

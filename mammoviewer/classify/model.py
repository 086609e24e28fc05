"""The case classifier network: a tiny CNNI-BCC-style Keras 3 model (depthwise-separable convolutions).

Built only from stock Keras layers, so a saved ``.keras`` file loads with ``safe_mode=True``.
Keras is imported inside the functions (never at package import time).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class ModelSettings:
    size: int = 256
    width: int = 16  # filters of the first convolution; later blocks use 2x and 4x
    dropout: float = 0.3
    l2: float = 1e-4


def build_model(s: ModelSettings = ModelSettings(), seed: int = 0):
    """``[size, size, 1]`` in [0, 1] -> softmax over (normal, benign, malignant).

    stem conv 5x5/2 -> conv 3x3 -> 3 separable-conv blocks with average pooling ->
    global average + global max pooling -> dropout -> dense softmax(3).
    """
    from mammoviewer.keras_runtime import keras

    layers = keras.layers

    keras.utils.set_random_seed(seed)
    reg = keras.regularizers.L2(s.l2)
    w = s.width
    inp = keras.Input((s.size, s.size, 1), name="film")
    x = layers.Conv2D(w, 5, strides=2, padding="same", use_bias=False, kernel_regularizer=reg)(inp)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(w, 3, padding="same", use_bias=False, kernel_regularizer=reg)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.AveragePooling2D(2)(x)
    for filters in (2 * w, 4 * w, 4 * w):
        x = layers.SeparableConv2D(
            filters, 3, padding="same", use_bias=False,
            depthwise_regularizer=reg, pointwise_regularizer=reg,
        )(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        x = layers.AveragePooling2D(2)(x)
    x = layers.Concatenate()([layers.GlobalAveragePooling2D()(x), layers.GlobalMaxPooling2D()(x)])
    x = layers.Dropout(s.dropout, seed=seed)(x)
    out = layers.Dense(3, activation="softmax", kernel_regularizer=reg, name="probabilities")(x)
    return keras.Model(inp, out, name="case_classifier")


def run_model(model, x, batch_size: int = 256):
    """Inference in chunks by calling the model directly (cheaper than ``predict`` for a film's windows)."""
    import numpy as np

    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        return np.zeros((0, 3), np.float32)
    return np.concatenate([np.asarray(model(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)])


def settings_dict(s: ModelSettings) -> dict:
    return asdict(s)

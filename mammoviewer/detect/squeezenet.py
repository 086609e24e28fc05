"""SqueezeNet v1.1 as an SSD backbone, with its ImageNet weights read from the Keras-2 HDF5 file.

The network is SqueezeNet v1.1 (conv1 3x3/2, max-pool, fire2-3, max-pool, fire4-5, max-pool,
fire6-9) with 'same' padding throughout, so that its maps have strides 4/8/16 exactly; the SSD
heads take fire5 (stride 8, 256 channels) and fire9 (stride 16, 512 channels) plus two extra
stride-2 levels (32, 64).

Input: the grey film in [0, 1] as one plane. SqueezeNet wants Caffe-style BGR pixels in 0..255
minus the ImageNet channel means; a grey film is the same plane three times, so conv1's kernel is
summed over its three input channels and the difference between each channel's mean and their
average is folded into conv1's bias: the one-plane network computes exactly what the three-plane
network computes on ``255 * film`` repeated (away from the zero padding at the border).

The weights are copied into the Keras layers when the model is built, so a saved ``.keras`` file
carries them and never needs the HDF5 file again (it loads with ``safe_mode=True``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mammoviewer.keras_runtime import keras
from mammoviewer.errors import DetectorError

layers = keras.layers

#: the shared ImageNet weights (see their README for the layout and licence)
DEFAULT_WEIGHTS = Path("/work/shared/weights/squeezenet_v1.1_imagenet_notop_tf.h5")
#: where the pretrained weights come from, for the model card
ORIGIN = {
    "weights": "SqueezeNet v1.1 trained on ImageNet (Iandola et al. 2016), from the authors' release "
               "forresti/SqueezeNet (BSD 2-Clause licence)",
    "port": "Keras port DeepCognition/keras-squeezenet, from rcmalli/keras-squeezenet (MIT licence)",
    "file": "squeezenet_v1.1_imagenet_notop_tf.h5 (sha256 17154246284f555591549ac2c83e127abfbf4307dc4b0060fdaa2931d0fa38da)",
    "use": "conv1 summed over its BGR inputs for the grey film, fire2-fire9 as they are, then fine-tuned on MIAS; "
           "the weights are inside model.keras",
}
#: ImageNet channel means of the Caffe weights, in the network's BGR order
BGR_MEANS = (103.939, 116.779, 123.68)
#: (name, squeeze, expand) of the fire modules, in order
FIRES = (("fire2", 16, 64), ("fire3", 16, 64), ("fire4", 32, 128), ("fire5", 32, 128),
         ("fire6", 48, 192), ("fire7", 48, 192), ("fire8", 64, 256), ("fire9", 64, 256))
#: the pretrained convolutions (HDF5 group names), conv1 first
PRETRAINED = ("conv1",) + tuple(f"{f}/{part}" for f, _, _ in FIRES for part in ("squeeze1x1", "expand1x1", "expand3x3"))
#: ``freeze`` settings: the last pretrained block kept fixed during training (None: none)
FREEZE_POINTS = ("none", "conv1", "fire3", "fire5", "fire9")


def keras_name(h5_name: str) -> str:
    """Keras layer name of a pretrained convolution (Keras 3 names cannot hold '/')."""
    return "sq_" + h5_name.replace("/", "_")


def _fire(x, name: str, squeeze: int, expand: int):
    s = layers.Conv2D(squeeze, 1, activation="relu", name=keras_name(f"{name}/squeeze1x1"))(x)
    e1 = layers.Conv2D(expand, 1, activation="relu", name=keras_name(f"{name}/expand1x1"))(s)
    e3 = layers.Conv2D(expand, 3, padding="same", activation="relu", name=keras_name(f"{name}/expand3x3"))(s)
    return layers.Concatenate(name=f"sq_{name}_concat")([e1, e3])


def squeezenet_features(inp) -> list:
    """SSD feature maps at strides 8, 16, 32, 64 from a one-plane film input in [0, 1]."""
    x = layers.Rescaling(255.0, offset=-float(np.mean(BGR_MEANS)), name="sq_caffe_scale")(inp)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu", name=keras_name("conv1"))(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="sq_pool1")(x)  # stride 4
    feats = []
    for name, squeeze, expand in FIRES:
        if name in ("fire4", "fire6"):
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"sq_pool_{name}")(x)
        x = _fire(x, name, squeeze, expand)
        if name in ("fire5", "fire9"):
            feats.append(x)
    c5, c9 = feats  # strides 8 (256 channels), 16 (512 channels)
    # Caffe-scale activations run to the hundreds: normalise the pretrained maps before heads and extras
    c5 = layers.BatchNormalization(name="sq_fire5_norm")(c5)
    c9 = layers.BatchNormalization(name="sq_fire9_norm")(c9)
    x = layers.Conv2D(128, 1, activation="relu", name="sq_extra1_1x1")(c9)
    c10 = layers.Conv2D(256, 3, strides=2, padding="same", activation="relu", name="sq_extra1_3x3")(x)
    x = layers.Conv2D(64, 1, activation="relu", name="sq_extra2_1x1")(c10)
    c11 = layers.Conv2D(128, 3, strides=2, padding="same", activation="relu", name="sq_extra2_3x3")(x)
    return [c5, c9, c10, c11]


def read_weights(path: str | Path = DEFAULT_WEIGHTS) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{h5 layer name: (kernel, bias)}`` for every pretrained convolution, read with h5py by name."""
    import h5py

    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise DetectorError(f"{path}: cannot read the SqueezeNet weights ({exc})") from exc
    out = {}
    with f:
        for name in PRETRAINED:
            if name not in f:
                raise DetectorError(f"{path}: no layer {name!r} in the SqueezeNet weights file")
            found: list[np.ndarray] = []  # one kernel (4-D) and one bias (1-D) per layer, nested, names vary
            f[name].visititems(lambda _, obj: found.append(np.asarray(obj)) if isinstance(obj, h5py.Dataset) else None)
            kernel = next((a for a in found if a.ndim == 4), None)
            bias = next((a for a in found if a.ndim == 1), None)
            if kernel is None or bias is None:
                raise DetectorError(f"{path}: layer {name!r} lacks a kernel or a bias")
            out[name] = (kernel.astype(np.float32), bias.astype(np.float32))
    return out


def grey_conv1(kernel: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """conv1 for one grey plane scaled as ``255 * x - mean(BGR_MEANS)``: the kernel summed over its
    BGR inputs, and each channel's offset from the average mean folded into the bias."""
    if kernel.shape[2] != 3:
        raise ValueError(f"conv1 kernel {kernel.shape}: expected 3 input channels")
    offset = np.mean(BGR_MEANS) - np.asarray(BGR_MEANS, dtype=np.float64)  # per input channel
    new_bias = bias.astype(np.float64) + np.einsum("hwcf,c->f", kernel.astype(np.float64), offset)
    return kernel.sum(axis=2, keepdims=True).astype(np.float32), new_bias.astype(np.float32)


def load_pretrained(model, path: str | Path = DEFAULT_WEIGHTS) -> int:
    """Copy the ImageNet weights into ``model``'s SqueezeNet layers; returns the number of layers set."""
    weights = read_weights(path)
    for name, (kernel, bias) in weights.items():
        if name == "conv1":
            kernel, bias = grey_conv1(kernel, bias)
        layer = model.get_layer(keras_name(name))
        want = tuple(layer.kernel.shape)
        if kernel.shape != want:
            raise DetectorError(f"{path}: layer {name!r} has shape {kernel.shape}, the network wants {want}")
        layer.set_weights([kernel, bias])
    return len(weights)


def freeze(model, upto: str) -> list[str]:
    """Make the pretrained layers up to and including block ``upto`` untrainable; returns their names."""
    if upto not in FREEZE_POINTS:
        raise ValueError(f"unknown freeze point {upto!r}; choose one of {', '.join(FREEZE_POINTS)}")
    if upto == "none":
        return []
    blocks = ["conv1"] + [f for f, _, _ in FIRES]
    chosen = blocks[: blocks.index(upto) + 1]
    names = [keras_name(n) for n in PRETRAINED if n.split("/")[0] in chosen]
    for n in names:
        model.get_layer(n).trainable = False
    return names

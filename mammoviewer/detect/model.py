"""SSD networks in Keras 3: a light depthwise-separable backbone (default), SqueezeNet v1.1 (ImageNet
weights, :mod:`mammoviewer.detect.squeezenet`) and SSD256-VGG16.

Both are fully convolutional (input ``[N, H, W, C]`` in [0, 1]: the film, then any extra planes
of :mod:`mammoviewer.detect.preprocess` for the light backbone; H and W multiples of the
largest stride) and output ``[N, A, C + 4]``: C class logits then 4 box offsets per
anchor, anchors ordered as :func:`mammoviewer.detect.anchors.generate_anchors`.
Only stock Keras layers are used, so a saved model loads with ``safe_mode=True``.
"""

from __future__ import annotations

from mammoviewer.keras_runtime import keras

layers = keras.layers

from mammoviewer.detect.anchors import AnchorSpec

BACKBONES = ("light", "squeezenet", "vgg16")


def _conv_bn(x, filters: int, kernel: int, stride: int, name: str):
    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(6.0, name=f"{name}_relu")(x)


def _separable(x, filters: int, stride: int, name: str):
    """Depthwise 3x3 + pointwise 1x1, BatchNorm and ReLU6 after each; residual when shapes agree."""
    inp = x
    x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw")(x)
    x = layers.BatchNormalization(name=f"{name}_dw_bn")(x)
    x = layers.ReLU(6.0, name=f"{name}_dw_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_pw")(x)
    x = layers.BatchNormalization(name=f"{name}_pw_bn")(x)
    x = layers.ReLU(6.0, name=f"{name}_pw_relu")(x)
    if stride == 1 and inp.shape[-1] == filters:
        x = layers.Add(name=f"{name}_add")([inp, x])
    return x


#: (filters, stride, repeats) per stage of the light backbone; stages 3.. feed the heads
LIGHT_STAGES = ((32, 2, 2), (64, 2, 2), (128, 2, 3), (192, 2, 2), (256, 2, 2))


def _light_features(inp, width: float) -> list:
    x = _conv_bn(inp, int(16 * width), 3, 2, "stem")  # stride 2
    feats = []
    for s, (filters, stride, repeats) in enumerate(LIGHT_STAGES):
        f = max(8, int(filters * width))
        for r in range(repeats):
            x = _separable(x, f, stride if r == 0 else 1, f"s{s + 1}b{r + 1}")
        feats.append(x)
    return feats[1:]  # strides 8, 16, 32, 64


def _vgg16_features(inp) -> list:
    """SSD256 on the VGG16 base: conv4_3 (stride 8), conv5_3 (16), two extra levels (32, 64)."""
    x = layers.Concatenate(name="gray_to_rgb")([inp, inp, inp])
    x = layers.Rescaling(255.0, offset=-117.0, name="vgg_scale")(x)
    base = keras.applications.VGG16(include_top=False, weights=None, input_shape=(None, None, 3))
    base_out = keras.Model(base.input, [base.get_layer("block4_conv3").output, base.get_layer("block5_conv3").output],
                           name="vgg16_base")
    c4, c5 = base_out(x)
    x = layers.Conv2D(256, 1, activation="relu", name="extra1_1x1")(c5)
    c6 = layers.Conv2D(512, 3, strides=2, padding="same", activation="relu", name="extra1_3x3")(x)
    x = layers.Conv2D(128, 1, activation="relu", name="extra2_1x1")(c6)
    c7 = layers.Conv2D(256, 3, strides=2, padding="same", activation="relu", name="extra2_3x3")(x)
    c4 = layers.BatchNormalization(name="conv4_3_norm")(c4)  # stands in for SSD's L2Norm
    return [c4, c5, c6, c7]


def _head(feat, outputs: int, name: str, separable: bool):
    if separable:
        return layers.SeparableConv2D(outputs, 3, padding="same", name=name)(feat)
    return layers.Conv2D(outputs, 3, padding="same", name=name)(feat)


def build_ssd(backbone: str = "light", spec: AnchorSpec = AnchorSpec(), num_classes: int = 3,
              width: float = 1.0, channels: int = 1, backbone_weights=None,
              freeze: str = "none") -> keras.Model:
    """Build an SSD (uncompiled). ``backbone`` is ``"light"``, ``"squeezenet"`` or ``"vgg16"`` (the last
    two take the film only). For SqueezeNet, ``backbone_weights`` (an HDF5 path) is copied into the
    network and ``freeze`` names the last pretrained block kept fixed in training."""
    if backbone not in BACKBONES:
        raise ValueError(f"unknown backbone {backbone!r}; choose one of {', '.join(BACKBONES)}")
    if backbone != "light" and channels != 1:
        raise ValueError(f"the {backbone} backbone takes the film alone (one input plane)")
    inp = keras.Input(shape=(None, None, channels), name="image")
    if backbone == "squeezenet":
        from mammoviewer.detect.squeezenet import squeezenet_features

        feats = squeezenet_features(inp)
    else:
        feats = _light_features(inp, width) if backbone == "light" else _vgg16_features(inp)
    if len(feats) != len(spec.strides):
        raise ValueError(f"backbone gives {len(feats)} feature maps but the anchor spec has {len(spec.strides)} levels")
    k = spec.per_location
    cls, loc = [], []
    for i, f in enumerate(feats):
        c = _head(f, k * num_classes, f"cls_head{i}", backbone == "light")
        o = _head(f, k * 4, f"box_head{i}", backbone == "light")
        cls.append(layers.Reshape((-1, num_classes), name=f"cls_flat{i}")(c))
        loc.append(layers.Reshape((-1, 4), name=f"box_flat{i}")(o))
    cls_all = layers.Concatenate(axis=1, name="cls_all")(cls)
    loc_all = layers.Concatenate(axis=1, name="box_all")(loc)
    out = layers.Concatenate(axis=-1, name="predictions")([cls_all, loc_all])
    model = keras.Model(inp, out, name=f"idbll_{backbone}")
    if backbone == "squeezenet":
        from mammoviewer.detect import squeezenet as sq

        if backbone_weights is not None:
            sq.load_pretrained(model, backbone_weights)
        sq.freeze(model, freeze)
    return model

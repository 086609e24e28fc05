"""The SqueezeNet v1.1 backbone: ImageNet weights land in the right layers, grey input, a training step."""


import numpy as np
import pytest

from mammoviewer.detect.anchors import AnchorSpec, count_anchors

from shared_paths import WEIGHTS as SHARED_WEIGHTS

WEIGHTS = SHARED_WEIGHTS / "squeezenet_v1.1_imagenet_notop_tf.h5"
needs_weights = pytest.mark.skipif(not WEIGHTS.is_file(), reason="shared SqueezeNet weights not present")


@pytest.fixture(scope="module")
def model():
    from mammoviewer.detect.model import build_ssd

    return build_ssd("squeezenet", backbone_weights=WEIGHTS, freeze="fire3")


@needs_weights
def test_every_pretrained_layer_is_read_with_its_shape():
    from mammoviewer.detect import squeezenet as sq

    w = sq.read_weights(WEIGHTS)
    assert set(w) == set(sq.PRETRAINED) and len(w) == 25
    assert w["conv1"][0].shape == (3, 3, 3, 64) and w["fire9/expand3x3"][0].shape == (3, 3, 64, 256)
    assert sum(k.size + b.size for k, b in w.values()) == 722_496  # the README's parameter count


@needs_weights
def test_weights_land_in_the_named_layers_and_survive_a_safe_save(model, tmp_path):
    from mammoviewer.keras_runtime import keras

    from mammoviewer.detect import squeezenet as sq

    w = sq.read_weights(WEIGHTS)
    for name in ("fire2/squeeze1x1", "fire5/expand1x1", "fire9/expand3x3"):
        kernel, bias = model.get_layer(sq.keras_name(name)).get_weights()
        np.testing.assert_array_equal(kernel, w[name][0])
        np.testing.assert_array_equal(bias, w[name][1])
    kernel, _ = model.get_layer("sq_conv1").get_weights()
    np.testing.assert_allclose(kernel[:, :, 0], w["conv1"][0].sum(axis=2), rtol=1e-6)
    x = np.random.default_rng(0).uniform(0, 1, (1, 128, 192, 1)).astype("float32")
    y = np.asarray(model(x))
    assert y.shape == (1, count_anchors(128, 192, AnchorSpec()), 7)
    model.save(tmp_path / "m.keras")  # self-contained: loads without the HDF5 file
    again = keras.models.load_model(tmp_path / "m.keras", safe_mode=True, compile=False)
    np.testing.assert_allclose(np.asarray(again(x)), y, atol=1e-4)


@needs_weights
def test_grey_conv1_equals_the_bgr_network_on_three_equal_planes():
    """Summed kernel + folded means on one plane == the Caffe conv1 on 255*film - BGR means."""
    from mammoviewer.detect import squeezenet as sq

    kernel, bias = sq.read_weights(WEIGHTS)["conv1"]
    k1, b1 = sq.grey_conv1(kernel, bias)
    film = np.random.default_rng(1).uniform(0, 1, (3, 3))  # one 3x3 window of the film
    bgr = 255.0 * film[:, :, None] - np.asarray(sq.BGR_MEANS)
    want = np.einsum("hwc,hwcf->f", bgr, kernel) + bias
    got = np.einsum("hw,hwf->f", 255.0 * film - np.mean(sq.BGR_MEANS), k1[:, :, 0]) + b1
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-2)


@pytest.mark.slow
@needs_weights
def test_freeze_fixes_the_early_blocks_and_a_training_step_moves_the_rest():
    from mammoviewer.keras_runtime import keras
    from mammoviewer.detect.losses import SSDLoss
    from mammoviewer.detect.model import build_ssd

    m = build_ssd("squeezenet", backbone_weights=WEIGHTS, freeze="fire3")
    assert not m.get_layer("sq_conv1").trainable and not m.get_layer("sq_fire3_expand3x3").trainable
    assert m.get_layer("sq_fire4_squeeze1x1").trainable
    m.compile(optimizer=keras.optimizers.Adam(1e-3), loss=SSDLoss())
    before = {n: m.get_layer(n).get_weights()[0].copy() for n in ("sq_fire2_expand1x1", "sq_fire6_expand3x3", "cls_head0")}
    x = np.random.default_rng(2).uniform(0, 1, (2, 64, 64, 1)).astype("float32")
    y = np.zeros((2, count_anchors(64, 64, AnchorSpec()), 5), "float32")
    y[:, ::10, 0] = 1  # lesion anchors on every level
    loss = float(np.asarray(m.train_on_batch(x, y)).reshape(-1)[0])
    assert np.isfinite(loss)
    np.testing.assert_array_equal(m.get_layer("sq_fire2_expand1x1").get_weights()[0], before["sq_fire2_expand1x1"])
    assert not np.array_equal(m.get_layer("sq_fire6_expand3x3").get_weights()[0], before["sq_fire6_expand3x3"])
    assert not np.array_equal(m.get_layer("cls_head0").get_weights()[0], before["cls_head0"])


def test_bad_weights_file_and_freeze_point_are_clear_errors(tmp_path):
    from mammoviewer.detect import squeezenet as sq
    from mammoviewer.detect.model import build_ssd
    from mammoviewer.errors import DetectorError

    bad = tmp_path / "w.h5"
    bad.write_text("not hdf5")
    with pytest.raises(DetectorError, match="w.h5: cannot read the SqueezeNet weights"):
        sq.read_weights(bad)
    with pytest.raises(ValueError, match="unknown freeze point 'fire7x'"):
        build_ssd("squeezenet", freeze="fire7x")
    with pytest.raises(ValueError, match="film alone"):
        build_ssd("squeezenet", channels=2)

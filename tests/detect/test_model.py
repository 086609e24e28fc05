import numpy as np
import pytest

from mammoviewer.detect.anchors import AnchorSpec, count_anchors


def test_light_model_shapes_size_and_safe_round_trip(tmp_path):
    import keras

    from mammoviewer.detect.model import build_ssd

    model = build_ssd("light")
    assert 200_000 < model.count_params() < 1_000_000
    x = np.random.default_rng(0).uniform(0, 1, (1, 128, 192, 1)).astype("float32")
    y = np.asarray(model(x))
    assert y.shape == (1, count_anchors(128, 192, AnchorSpec()), 7)
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras", safe_mode=True, compile=False)
    np.testing.assert_allclose(np.asarray(again(x)), y, atol=1e-5)


def test_unknown_backbone_is_refused():
    from mammoviewer.detect.model import build_ssd

    with pytest.raises(ValueError, match="unknown backbone 'resnet'"):
        build_ssd("resnet")


@pytest.mark.slow
def test_vgg16_ssd256_builds_with_the_same_anchor_layout():
    from mammoviewer.detect.model import build_ssd

    model = build_ssd("vgg16")
    y = model(np.zeros((1, 256, 256, 1), "float32"))
    assert tuple(y.shape) == (1, count_anchors(256, 256, AnchorSpec()), 7)


def test_light_model_takes_extra_input_planes_and_vgg16_refuses_them():
    from mammoviewer.detect.model import build_ssd

    model = build_ssd("light", width=0.25, channels=2)
    y = model(np.zeros((1, 128, 128, 2), "float32"))
    assert tuple(y.shape) == (1, count_anchors(128, 128, AnchorSpec()), 7)
    with pytest.raises(ValueError, match="film alone"):
        build_ssd("vgg16", channels=2)

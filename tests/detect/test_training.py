"""A tiny training run on a synthetic MIAS-like folder: the loss falls and a checkpoint resumes."""

import json

import pytest

from mammoviewer.detect.sampler import CropConfig
from mammoviewer.detect.training import TrainConfig, train


def tiny_config(tmp_path, epochs, write_tiny_mias):
    data = tmp_path / "mias"
    if not data.exists():
        write_tiny_mias(data)
    return TrainConfig(images=str(data), info=str(data / "Info.txt"), out=str(tmp_path / "model"),
                       epochs=epochs, steps_per_epoch=3, batch_size=4, learning_rate=5e-3, fold=0,
                       pixel_mm=1.6, cache_dir=str(tmp_path / "cache"), checkpoint_dir=str(tmp_path / "ckpt"),
                       crop=CropConfig(size=64), width=0.5, verbose=0)


@pytest.mark.slow
def test_tiny_training_learns_writes_a_card_and_resumes(tmp_path, tiny_mias):
    model_path = train(tiny_config(tmp_path, 2, tiny_mias))
    card = json.loads((tmp_path / "model" / "model.json").read_text())
    state = json.loads((tmp_path / "ckpt" / "state.json").read_text())
    assert model_path.is_file() and state["epoch"] == 2
    assert card["pixel_mm"] == 1.6 and card["training"]["fold_held_out"] == 0
    split = json.loads((tmp_path / "model" / "split.json").read_text())
    held_out = set(split["folds"][0]["patients"])
    assert held_out and not held_out & set(card["training"]["train_patients"])
    assert "no pretrained weights" in card["weights_origin"] and "research use only" in card["weights_origin"]

    train(tiny_config(tmp_path, 3, tiny_mias))  # resumes at epoch 2 from the checkpoint
    state2 = json.loads((tmp_path / "ckpt" / "state.json").read_text())
    losses = [h["loss"] for h in state2["history"]]
    assert state2["epoch"] == 3 and len(losses) == 3
    assert losses[:2] == [h["loss"] for h in state["history"]]  # the first two epochs were not redone
    assert losses[-1] < losses[0]


@pytest.mark.slow
@pytest.mark.parametrize("plane", ["tophat", "contralateral"])
def test_training_with_a_second_plane_writes_its_inputs_and_detects(tmp_path, tiny_mias, plane):
    """A two-plane model records its inputs, and the detector feeds it both planes."""
    from dataclasses import replace

    from mammoviewer.detect import Detector
    from mammoviewer.io import load_image

    cfg = replace(tiny_config(tmp_path, 1, tiny_mias), inputs=("film", plane))
    model_path = train(cfg)
    card = json.loads((tmp_path / "model" / "model.json").read_text())
    assert card["inputs"] == ["film", plane]
    jittered = card["training"]["config"]["crop"]["jitter_planes"]
    assert jittered == ([0, 1] if plane == "contralateral" else [0])  # the other film's rendering is jittered alike
    det = Detector.load(model_path, device="cpu")
    film = next((tmp_path / "mias").glob("mdb*.p*"))
    found = det.detect(load_image(film), threshold=0.0)
    assert det.inputs == ("film", plane) and det.last_input.stack.shape[-1] == 2
    assert all(0.0 <= d.score <= 1.0 for d in found)


def test_a_fold_holding_every_patient_is_a_clear_error(tmp_path, tiny_mias):
    from dataclasses import replace

    from mammoviewer.errors import DetectorError

    cfg = replace(tiny_config(tmp_path, 1, tiny_mias), folds=1)
    with pytest.raises(DetectorError, match="no films left to train on"):
        train(cfg)
    assert not (tmp_path / "ckpt" / "state.json").exists()

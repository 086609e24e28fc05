"""The retrain dialog on a real window: progress, cancel, the before/after check and the model switch.

The fine-tuning callable is replaced (``finetune_fn=``) by a scripted one that reports progress,
waits where the test says and returns a :class:`FinetuneReport` with chosen figures: what is tested
here is the dialog. The real ``finetune`` is tested in tests/detect/test_finetune.py.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from mammoviewer.detect.finetune import FinetuneReport
from mammoviewer.errors import DetectorError

OLD = {"froc": {"1": 0.50}, "map_voc": 0.40}
BETTER = {"froc": {"1": 0.60}, "map_voc": 0.45}
WORSE = {"froc": {"1": 0.55}, "map_voc": 0.30}  # sensitivity up but mAP down: worse


class ScriptedFinetune:
    """Stands in for ``finetune``: writes the model folder, reports progress, waits on ``gate``."""

    def __init__(self, after: dict | None = BETTER, heldout: tuple[str, ...] = ("mdb001", "mdb002"),
                 comparison: str = "", bias: str | None = None) -> None:
        self.after = after
        self.heldout = list(heldout)
        self.comparison, self.bias = comparison, bias
        self.gate = threading.Event()
        self.reached = threading.Event()
        self.cfg = None
        self.cancel = None

    def __call__(self, cfg, progress, cancel):
        self.cfg, self.cancel = cfg, cancel
        out = Path(cfg.out)
        out.mkdir(parents=True)
        (out / "model.keras").write_bytes(b"partial")
        progress("step 1/2 loss 1.250", 0.5)
        self.reached.set()
        if not self.gate.wait(20):
            raise AssertionError("the test never opened the gate")
        if cancel.is_set():
            raise DetectorError(f"{out}: retraining cancelled; nothing was written")
        progress("done", 1.0)
        return FinetuneReport(out / "model.keras", OLD, self.after, reviewed_films=3, truth_boxes=4,
                              hard_negatives=2, heldout_films=self.heldout, seconds=1.0,
                              comparison=self.comparison, bias=self.bias)


@pytest.fixture
def make_dialog(window, tmp_path, qtbot):
    from mammoviewer.gui.tools.retrain_dialog import RetrainDialog

    made = []

    def make(fake: ScriptedFinetune, **options):
        dialog = RetrainDialog(window, tmp_path / "review.sqlite", tmp_path / "current" / "model.keras",
                               mias_dir=tmp_path / "mias", finetune_fn=fake, out_dir=tmp_path / "new-model",
                               **options)
        dialog.show()
        made.append((dialog, fake))
        return dialog

    yield make
    for dialog, fake in made:
        fake.gate.set()
        dialog.close()
    window.jobs.wait(10000)
    assert not any(d.isVisible() for d, _ in made)


def test_progress_then_a_not_worse_model_can_be_taken(make_dialog, window, tmp_path, qtbot):
    fake = ScriptedFinetune(after=BETTER)
    dialog = make_dialog(fake)
    assert not dialog.use_button.isVisible() and dialog.start_button.isVisible()
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() == 500, timeout=10000)
    assert dialog.message_label.text() == "step 1/2 loss 1.250"
    assert dialog.cancel_button.isVisible() and not dialog.out_edit.isEnabled()
    assert window.jobs.current("retrain") is not None
    cfg = fake.cfg
    assert (cfg.store, cfg.model, cfg.out, cfg.images) == (
        str(tmp_path / "review.sqlite"), str(tmp_path / "current" / "model.keras"),
        str(tmp_path / "new-model"), str(tmp_path / "mias"))
    with qtbot.waitSignal(dialog.retrainFinished, timeout=10000):
        fake.gate.set()
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum()
    table = dialog.results_table
    assert table.isVisible()
    assert [[table.item(r, c).text() for c in range(2)] for r in range(2)] == [["0.500", "0.600"],
                                                                             ["0.400", "0.450"]]
    assert "not worse" in dialog.result_label.text()
    assert dialog.use_button.isVisible() and dialog.use_button.isEnabled()
    with qtbot.waitSignal(dialog.modelSwitchRequested, timeout=1000) as blocker:
        dialog.use_button.click()
    assert blocker.args == [str(tmp_path / "new-model" / "model.keras")]
    assert dialog.previous_model == str(tmp_path / "current" / "model.keras")


def test_a_worse_model_is_not_offered(make_dialog, qtbot):
    fake = ScriptedFinetune(after=WORSE)
    dialog = make_dialog(fake)
    switched = []
    dialog.modelSwitchRequested.connect(switched.append)
    fake.gate.set()
    with qtbot.waitSignal(dialog.retrainFinished, timeout=10000):
        dialog.start()
    assert not dialog.use_button.isVisible()
    assert "WORSE" in dialog.result_label.text() and "current model stays in use" in dialog.result_label.text()
    assert dialog.results_table.item(1, 1).text() == "0.300"
    dialog.use_new_model()  # even if called directly: no switch
    assert switched == []


def test_without_held_out_films_nothing_is_offered(make_dialog, qtbot):
    fake = ScriptedFinetune(after={}, heldout=())
    dialog = make_dialog(fake)
    fake.gate.set()
    with qtbot.waitSignal(dialog.retrainFinished, timeout=10000):
        dialog.start()
    assert not dialog.use_button.isVisible() and "cannot be compared" in dialog.result_label.text()


def test_cancel_sets_the_event_and_leaves_nothing_written(make_dialog, tmp_path, qtbot):
    fake = ScriptedFinetune()
    dialog = make_dialog(fake)
    dialog.start()
    assert fake.reached.wait(10)
    assert (tmp_path / "new-model" / "model.keras").exists()  # the run has begun writing
    dialog.cancel_button.click()
    assert dialog.cancel_event.is_set() and fake.cancel.is_set()
    assert dialog.state == "cancelling" and not dialog.cancel_button.isEnabled()
    fake.gate.set()
    qtbot.waitUntil(lambda: dialog.state == "cancelled", timeout=10000)
    assert "cancelled, nothing written" in dialog.message_label.text()
    assert not (tmp_path / "new-model").exists()  # the partial folder was removed
    assert not dialog.use_button.isVisible() and dialog.start_button.isVisible()


def test_a_failure_is_reported_in_the_dialog(make_dialog, qtbot):
    def broken(cfg, progress, cancel):
        raise DetectorError(f"{cfg.store}: no reviewed films outside the held-out patients to learn from")

    fake = ScriptedFinetune()
    dialog = make_dialog(fake)
    dialog.finetune_fn = broken
    with qtbot.waitSignal(dialog.retrainFailed, timeout=10000):
        dialog.start()
    assert dialog.state == "failed" and "no reviewed films" in dialog.message_label.text()
    assert dialog.start_button.isVisible() and not dialog.use_button.isVisible()


def test_output_folder_never_the_bundled_models(make_dialog, tmp_path):
    from mammoviewer.detect.detector import default_model_path
    from mammoviewer.gui.tools.retrain_job import default_output_dir, output_problem

    bundled = default_model_path().parent
    assert output_problem(bundled, None) is not None
    assert output_problem(bundled.parent / "idbll-retrained-x", None) is not None
    assert output_problem(tmp_path / "current", tmp_path / "current" / "model.keras") is not None
    assert output_problem(tmp_path / "fresh", tmp_path / "current" / "model.keras") is None
    default = default_output_dir()
    assert default.name.startswith("idbll-retrained-") and bundled.parent not in default.parents
    fake = ScriptedFinetune()
    dialog = make_dialog(fake)
    dialog.out_edit.setText(str(bundled))
    dialog.start()
    assert dialog.state == "failed" and "bundled models" in dialog.message_label.text() and fake.cfg is None


def test_menu_action_opens_the_dialog_and_forwards_the_switch(window, tmp_path, qtbot):
    from mammoviewer.gui.tools.retrain_dialog import RetrainDialog, install_retrain_action

    fake = ScriptedFinetune(after=BETTER)
    fake.gate.set()
    switched = []
    action = install_retrain_action(window, lambda: str(tmp_path / "review.sqlite"), lambda: None,
                                    switched.append, finetune_fn=fake, out_dir=tmp_path / "m2",
                                    mias_dir=tmp_path / "mias")
    tools = window.menus["tools"]
    assert action in tools.actions()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Tools") == titles.index("&Help") - 1
    action.trigger()
    dialog = action.launcher.dialog
    try:
        assert isinstance(dialog, RetrainDialog) and dialog.isVisible() and not dialog.isModal()
        assert dialog.previous_model is None  # the bundled model
        with qtbot.waitSignal(dialog.retrainFinished, timeout=10000):
            dialog.start()
        dialog.use_button.click()
        assert switched == [str(tmp_path / "m2" / "model.keras")]
    finally:
        dialog.close()


def test_restore_previous_model_goes_back_step_by_step(window, tmp_path):
    from mammoviewer.detect.detector import default_model_path
    from mammoviewer.gui.tools.retrain_dialog import install_retrain_action

    in_use: list[str | None] = [None]  # None: the bundled model
    switched: list[str] = []

    def use(path: str) -> None:
        switched.append(path)
        in_use[0] = path

    action = install_retrain_action(window, lambda: str(tmp_path / "review.sqlite"), lambda: in_use[0], use)
    restore = window.actions_by_name["restore_model"]
    assert restore in window.menus["tools"].actions() and not restore.isEnabled()
    action.launcher.switch("/models/a/model.keras")
    action.launcher.switch("/models/b/model.keras")
    assert restore.isEnabled() and "/models/a/model.keras" in restore.statusTip()
    restore.trigger()
    assert in_use[0] == "/models/a/model.keras" and restore.isEnabled()
    restore.trigger()
    assert in_use[0] == str(default_model_path()) and not restore.isEnabled()
    assert switched == ["/models/a/model.keras", "/models/b/model.keras", "/models/a/model.keras",
                        str(default_model_path())]


def test_the_check_says_on_which_films_and_plainly_when_it_is_biased(make_dialog, qtbot):
    fake = ScriptedFinetune(after=WORSE, comparison="54 films of 27 patients of fold 0",
                            bias="idbll-light 1.2 was trained on the patients of 54 of these 54 films, so it has "
                                 "seen them and the check favours it over the new model")
    from PySide6.QtWidgets import QLabel

    dialog = make_dialog(fake)
    assert "held-out patients that never give training data" not in dialog.findChild(QLabel).text()
    fake.gate.set()
    with qtbot.waitSignal(dialog.retrainFinished, timeout=10000):
        dialog.start()
    text = dialog.result_label.text()
    assert text.startswith("Compared on 54 films of 27 patients of fold 0. This comparison is BIASED: idbll-light "
                           "1.2 was trained on the patients of 54 of these 54 films")
    assert "WORSE" in text
    fair = ScriptedFinetune(after=BETTER, comparison="52 films of 26 patients neither model trained on")
    dialog = make_dialog(fair)
    dialog.out_edit.setText(str(Path(fake.cfg.out).parent / "second-model"))
    fair.gate.set()
    with qtbot.waitSignal(dialog.retrainFinished, timeout=10000):
        dialog.start()
    assert dialog.result_label.text().startswith("Compared on 52 films of 26 patients neither model trained on. "
                                                 "The new model is not worse")
    assert "BIASED" not in dialog.result_label.text()


def _mias_folder(path: Path) -> Path:
    path.mkdir()
    (path / "Info.txt").write_text("mdb001 G CIRC B 535 425 197\n")
    return path


def test_the_reference_folder_is_chosen_and_remembered(window, tmp_path, qtbot, monkeypatch):
    from mammoviewer.gui.tools import retrain_dialog
    from mammoviewer.gui.tools.reference_data import NO_REFERENCE, ReferenceRow
    from mammoviewer.gui.tools.retrain_dialog import RetrainDialog

    monkeypatch.setattr(retrain_dialog, "default_mias_dir", lambda: None)  # a plain clone: no ../shared
    fake = ScriptedFinetune()
    fake.gate.set()
    dialog = RetrainDialog(window, tmp_path / "review.sqlite", None, finetune_fn=fake, out_dir=tmp_path / "m1")
    row = dialog.reference_row
    assert dialog.mias_dir is None and row.note.text() == NO_REFERENCE and "cannot be offered" not in NO_REFERENCE
    assert "Choose the folder of the mini-MIAS films" in row.note.text()
    not_mias = tmp_path / "photos"
    not_mias.mkdir()
    monkeypatch.setattr(ReferenceRow, "ask_folder", lambda self: str(not_mias))
    row.button.click()
    assert dialog.mias_dir is None and row.note.text().startswith(f"{not_mias}: no Info.txt here")
    mias = _mias_folder(tmp_path / "mias")
    monkeypatch.setattr(ReferenceRow, "ask_folder", lambda self: str(mias))
    row.button.click()
    assert dialog.mias_dir == str(mias) and row.edit.text() == str(mias)
    with qtbot.waitSignal(dialog.retrainFinished, timeout=10000):
        dialog.start()
    assert fake.cfg.images == str(mias)
    dialog.close()
    # remembered in the window's settings: the next dialog starts from it
    again = RetrainDialog(window, tmp_path / "review.sqlite", None, finetune_fn=fake, out_dir=tmp_path / "m2")
    assert again.mias_dir == str(mias) and again.reference_row.edit.text() == str(mias)
    assert window.recent.settings.value("retrain/reference_films") == str(mias)
    again.close()
    window.jobs.wait(10000)

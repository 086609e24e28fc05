"""File › Import/Export Annotations on a real window: menu entries, worker jobs, status bar, banner."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from mammoviewer.review import Box, Finding, FindingChange, ImageRecord, ReviewStore

#: mdb023's Info.txt row and its canonical box (resources/samples/README.md)
MDB023_ROW = "mdb023 G CIRC M 538 681 29"
MDB023_BOX = (509.0, 314.0, 567.0, 372.0)


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    """A store with 3 films (2 marked reviewed) and 4 findings, one of them rejected."""
    path = tmp_path / "review.sqlite"
    with ReviewStore.open(path) as store:
        for name, state in (("a.pgm", "reviewed"), ("b.pgm", "reviewed"), ("c.pgm", "unreviewed")):
            store.add_image(ImageRecord(key=str(tmp_path / name), width=300, height=200, review_state=state))
        findings = [
            Finding(image_key=str(tmp_path / "a.pgm"), box=Box(40, 30, 100, 80), label="malignant",
                    score=0.9, source="model", status="accepted"),
            Finding(image_key=str(tmp_path / "a.pgm"), box=Box(150, 20, 170, 40), label="benign",
                    score=0.2, source="model", status="rejected"),
            Finding(image_key=str(tmp_path / "b.pgm"), box=Box(10, 10, 50, 60), label="benign",
                    source="reader", status="accepted"),
            Finding(image_key=str(tmp_path / "c.pgm"), box=Box(5, 6, 25, 36), label="benign",
                    score=0.7, source="model"),
        ]
        store.apply_many([FindingChange("add", None, f) for f in findings])
    return path


@pytest.fixture
def actions(window, store_file):
    from mammoviewer.gui.viewer.file_actions import install_file_actions

    return install_file_actions(window, lambda: str(store_file))


def _menu_action(window, text: str):
    found = [a for a in window.menus["file"].actions() if a.text().replace("&", "") == text]
    assert len(found) == 1, [a.text() for a in window.menus["file"].actions()]
    return found[0]


def test_menu_entries_sit_above_quit(window, actions):
    texts = [a.text().replace("&", "") for a in window.menus["file"].actions()]
    i, e, q = (texts.index(t) for t in ("Import Annotations\u2026", "Export Annotations\u2026", "Quit"))
    assert i < e < q and texts[q - 1] == ""  # separator before Quit
    assert window.actions_by_name["export_annotations"] is actions.export_action


def test_export_from_the_menu_writes_the_stores_findings(window, actions, store_file, tmp_path, qtbot, monkeypatch):
    with ReviewStore.open(store_file) as store:  # c.pgm's pending candidate goes out once its film is reviewed
        store.set_review_state(str(tmp_path / "c.pgm"), "reviewed")
    out = tmp_path / "out.csv"
    monkeypatch.setattr(actions, "ask_export_target", lambda: ("csv", str(out), False, True))
    with qtbot.waitSignal(actions.exportFinished, timeout=20000) as blocker:
        _menu_action(window, "Export Annotations\u2026").trigger()
        assert not actions.export_action.isEnabled()  # busy while the worker runs
    summary = blocker.args[0]
    assert (summary.images, summary.findings, summary.rejected) == (3, 3, 0)  # rejected: never lesions
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3
    assert {(Path(r["image"]).name, r["label"], r["status"]) for r in rows} == {
        ("a.pgm", "malignant", "accepted"), ("b.pgm", "benign", "accepted"), ("c.pgm", "benign", "pending")}
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Exported 3 findings from 3 films to {out}") and "rejected" not in message
    assert "1 of them pending" in message
    assert actions.export_action.isEnabled() and not window.banner.isVisible()


def test_by_default_an_export_leaves_the_pending_candidates_out(window, actions, tmp_path, qtbot, monkeypatch):
    out = tmp_path / "truth.csv"
    monkeypatch.setattr(actions, "ask_export_target", lambda: ("csv", str(out), False, False))
    with qtbot.waitSignal(actions.exportFinished, timeout=20000) as blocker:
        actions.export_action.trigger()
    assert (blocker.args[0].findings, blocker.args[0].pending) == (2, 0)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted(r["status"] for r in rows) == ["accepted", "accepted"]  # c.pgm is not reviewed: no truth yet


def test_export_reviewed_only_as_coco(window, actions, tmp_path, qtbot, monkeypatch):
    out = tmp_path / "reviewed.json"
    monkeypatch.setattr(actions, "ask_export_target", lambda: ("coco", str(out), True))
    with qtbot.waitSignal(actions.exportFinished, timeout=20000):
        actions.export_action.trigger()
    coco = json.loads(out.read_text())
    assert sorted(Path(im["file_name"]).name for im in coco["images"]) == ["a.pgm", "b.pgm"]
    boxes = sorted(tuple(a["bbox"]) for a in coco["annotations"])
    assert (40.0, 30.0, 60.0, 50.0) in boxes and (10.0, 10.0, 40.0, 50.0) in boxes
    assert all(tuple(a["bbox"]) != (5.0, 6.0, 20.0, 30.0) for a in coco["annotations"])  # c.pgm left out
    assert "from 2 films" in window.statusBar().currentMessage()


def test_export_to_unwritable_target_shows_banner_and_stays_usable(window, actions, tmp_path, qtbot,
                                                                   monkeypatch):
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    bad = blocker_file / "out.csv"  # parent is a file: cannot be written, even as root
    monkeypatch.setattr(actions, "ask_export_target", lambda: ("csv", str(bad), False))
    with qtbot.waitSignal(actions.failed, timeout=20000) as blocker:
        actions.export_action.trigger()
    assert str(bad) in blocker.args[0]
    assert window.banner.isVisible() and "is not a folder" in window.banner.text()
    assert not bad.exists()
    # the window goes on working: the actions are enabled again and the next export succeeds
    assert actions.export_action.isEnabled() and actions.import_action.isEnabled()
    good = tmp_path / "good.csv"
    monkeypatch.setattr(actions, "ask_export_target", lambda: ("csv", str(good), False))
    with qtbot.waitSignal(actions.exportFinished, timeout=20000):
        actions.export_action.trigger()
    assert good.is_file()


def test_cancelled_dialog_starts_nothing(window, actions, monkeypatch):
    monkeypatch.setattr(actions, "ask_export_target", lambda: None)
    monkeypatch.setattr(actions, "ask_import_source", lambda: None)
    assert actions.ask_and_export() is None and actions.ask_and_import() is None
    assert actions.export_action.isEnabled() and window.jobs.current(actions.EXPORT_CHANNEL) is None


def test_import_mias_info_from_the_menu(window, actions, store_file, tmp_path, qtbot, monkeypatch, mias_film):
    films = tmp_path / "films"
    films.mkdir()
    shutil.copy(mias_film, films / "mdb023.pgm")
    shutil.copy(mias_film, films / "mdb024.pgm")  # stands in for a normal film
    info = tmp_path / "Info.txt"
    info.write_text(f"{MDB023_ROW}\nmdb024 G NORM\nmdb999 F NORM\n", encoding="latin-1")
    monkeypatch.setattr(actions, "ask_import_source", lambda: ("mias", str(info), str(films)))
    changed = []
    actions.storeChanged.connect(lambda: changed.append(True))
    with qtbot.waitSignal(actions.importFinished, timeout=20000) as blocker:
        _menu_action(window, "Import Annotations\u2026").trigger()
    assert changed == [True]
    summary = blocker.args[0]
    assert (summary.images, summary.findings, summary.missing) == (2, 1, ["mdb999"])
    with ReviewStore.open(store_file, create=False) as store:
        found = store.findings(str((films / "mdb023.pgm").absolute()))
        assert [(f.box.as_tuple(), f.label, f.finding_type, f.source) for f in found] == [
            (MDB023_BOX, "malignant", "mass", "import")]
        assert store.findings(str((films / "mdb024.pgm").absolute())) == []
        assert store.image(str((films / "mdb023.pgm").absolute())).width == 1024
    message = window.statusBar().currentMessage()
    assert message.startswith("Imported 1 findings on 2 films from Info.txt") and "mdb999" in message


def test_bad_coco_file_shows_banner_and_changes_nothing(window, actions, store_file, tmp_path, qtbot,
                                                        monkeypatch):
    bad = tmp_path / "labels.json"
    bad.write_text("{ this is not json", encoding="utf-8")
    monkeypatch.setattr(actions, "ask_import_source", lambda: ("coco", str(bad), str(tmp_path)))
    changed = []
    actions.storeChanged.connect(lambda: changed.append(True))
    with qtbot.waitSignal(actions.failed, timeout=20000):
        actions.import_action.trigger()
    banner = window.banner.text()
    assert window.banner.isVisible() and "not valid JSON" in banner and str(bad) in banner
    assert changed == [] and actions.import_action.isEnabled()
    with ReviewStore.open(store_file, create=False) as store:
        assert len(store.images()) == 3 and len(store.findings()) == 4


def test_without_a_store_the_actions_say_so(window, qtbot):
    from mammoviewer.gui.viewer.file_actions import install_file_actions

    actions = install_file_actions(window, lambda: None)
    assert actions.export_annotations("csv", "/nowhere/out.csv") is None
    assert window.banner.isVisible() and "No review store" in window.banner.text()


def test_export_options_dialog_choice(app, qtbot, tmp_path):
    from mammoviewer.gui.viewer.file_actions import ExportOptionsDialog

    dialog = ExportOptionsDialog(None, tmp_path, fmt="coco")
    qtbot.addWidget(dialog)
    assert dialog.choice() == ("coco", str(tmp_path / "annotations-coco.json"), True, False, False, False)
    dialog.in_progress_check.setChecked(True)
    dialog.rejected_check.setChecked(True)
    assert dialog.choice()[2:] == (True, False, True, True)
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("yolo"))  # YOLO cannot mark either
    assert not dialog.rejected_check.isEnabled() and not dialog.in_progress_check.isEnabled()
    assert dialog.choice() == ("yolo", str(tmp_path / "annotations-yolo"), True, False, False, False)
    dialog.path_edit.setText(str(tmp_path / "mine.txt"))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("mias"))
    assert dialog.choice()[1] == str(tmp_path / "mine.txt")  # a name the user typed is kept
    dialog.path_edit.setText("")
    from PySide6.QtWidgets import QDialogButtonBox

    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_dialogs_options_reach_the_export(window, actions, tmp_path, qtbot, monkeypatch):
    """What the reader ticks in the dialog is what the COCO file holds: rejected findings only when asked, in
    their own category; the in-progress film's decisions only when asked, never as normal."""
    from mammoviewer.gui.viewer.file_actions import ExportOptionsDialog

    dialog = ExportOptionsDialog(window, tmp_path, fmt="coco")
    qtbot.addWidget(dialog)
    plain = tmp_path / "plain.json"
    dialog.path_edit.setText(str(plain))
    monkeypatch.setattr(actions, "ask_export_target", lambda: dialog.choice())
    with qtbot.waitSignal(actions.exportFinished, timeout=20000):
        actions.export_action.trigger()
    coco = json.loads(plain.read_text())
    assert "rejected" not in {c["name"] for c in coco["categories"]} and len(coco["annotations"]) == 2
    full = tmp_path / "full.json"
    dialog.path_edit.setText(str(full))
    dialog.rejected_check.setChecked(True)
    dialog.in_progress_check.setChecked(True)
    with qtbot.waitSignal(actions.exportFinished, timeout=20000):
        actions.export_action.trigger()
    coco = json.loads(full.read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    assert [names[a["category_id"]] for a in coco["annotations"]].count("rejected") == 1
    assert len(coco["images"]) == 2  # c.pgm (unreviewed) has no decided finding: not written, never normal

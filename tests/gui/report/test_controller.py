"""The report dock in a real window: a study's report pre-filled on a worker, stored, exported; exam scores."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

from PySide6.QtCore import QObject, Signal

from mammoviewer.gui.report.controller import ReportController
from mammoviewer.gui.viewer.study_list import StudyList
from mammoviewer.review.keys import image_key
from mammoviewer.review.records import Box, Finding, FindingChange, ImageRecord
from mammoviewer.review.report_table import ReportTable
from mammoviewer.review.store import ReviewStore
from mammoviewer.studies import find_studies
from shared_paths import SAMPLES


class FakeReader(QObject):
    """What the controller uses of the study reader."""

    studyShown = Signal(int)

    def __init__(self, window, review, studies):
        super().__init__(window)
        self.window, self.review, self.studies, self.index = window, review, studies, 0
        self.list = StudyList()
        self.list.set_studies(studies)

    @property
    def study(self):
        return self.studies[self.index]


class FakeReview(QObject):
    findingsShown = Signal(str)

    def __init__(self, store):
        super().__init__()
        self.session = SimpleNamespace(store=store)
        self.detection = SimpleNamespace(prefetched=self.findingsShown)


def test_report_dock_prefills_stores_and_exports(window, qtbot, tmp_path, monkeypatch):
    for name in ("mdb023.pgm", "mdb024.pgm"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    store = ReviewStore.open(tmp_path / "s.mvreview")
    keys = [image_key(tmp_path / n) for n in ("mdb023.pgm", "mdb024.pgm")]
    for key in keys:
        store.add_image(ImageRecord(key=key, width=1024, height=1024, pixel_spacing_mm=0.2))
    store.apply(FindingChange("add", None, Finding(image_key=keys[0], box=Box(509, 314, 567, 372), label="malignant",
                                                   finding_type="mass", status="accepted")))  # fmt: skip
    studies = find_studies([tmp_path / "mdb023.pgm", tmp_path / "mdb024.pgm"])
    review = FakeReview(store)
    reader = FakeReader(window, review, studies)
    window.worklist.set_paths([f.path for f in studies[0].films])
    controller = ReportController(reader)  # type: ignore[arg-type]
    reader.studyShown.emit(0)
    assert not controller.dock.isHidden()  # beside the images once a study is shown
    controller.action.trigger()  # F8
    assert controller.dock.isVisible()
    qtbot.waitUntil(lambda: controller.form.isEnabled(), timeout=60000)
    assert controller.form.table.rowCount() == 1 and "right breast" in controller.form.table.item(0, 1).text()
    assert ReportTable(store).report("mdb023+mdb024") is not None  # the pre-filled report is stored
    controller.form.assess["R"].setCurrentIndex(5)  # BI-RADS 4
    assert ReportTable(store).report("mdb023+mdb024").right == 4
    reader.studyShown.emit(0)  # shown again: the stored report, at once (no worker)
    assert controller.form.isEnabled() and controller.form.assess["R"].currentIndex() == 5
    out = tmp_path / "out"
    out.mkdir()
    job = controller.export_to(str(out))
    with qtbot.waitSignal(job.finished, timeout=60000):
        pass
    assert sorted(p.name for p in out.iterdir()) == ["mdb023+mdb024.report.pdf", "mdb023+mdb024.report.sr.dcm"]
    # exam scores: the detector's stored findings, on the card's decile edges
    from mammoviewer.classify import exam_store

    card = exam_store.load_case_card()
    card["case_score"]["exam_score"] = {"edges": [0.1 * i for i in range(1, 10)]}
    monkeypatch.setattr(exam_store, "load_case_card", lambda path=None: card)
    for key, scores in zip(keys, ([0.95, 0.9, 0.9], [0.05])):
        store.record_model_findings(key, "idbll-light", "1.4", [
            Finding(image_key=key, box=Box(0, 0, 9, 9), label="benign", score=s) for s in scores])
    from mammoviewer.gui.app import wait_for_exam_scores

    assert wait_for_exam_scores(controller)  # as a --screenshot waits for them before the picture
    assert reader.list.exam_scores == [10]
    assert window.worklist.list.item(0).text().startswith("[10]")
    store.close()

"""The case score box: the disagreement rule, live updates with the threshold and reader edits,
stale results, a missing model, and the real bundled classifier on a MIAS film.

Where the classifier itself is not under test (the box's wiring, threshold, edits, stale
results) a :class:`FakeClassifier` with fixed probabilities stands in, and the review uses
:class:`review_fakes.ScriptedDetector`; ``test_the_real_classifier_scores_mdb023`` runs the
bundled model.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from review_fakes import ScriptedDetector, write_films

from mammoviewer.gui.review.case_score import CaseScoreService, CaseScoreView, classifier_factory

PROBS = {"a.pgm": {"normal": 0.1, "benign": 0.2, "malignant": 0.7},
         "b.pgm": {"normal": 0.05, "benign": 0.8, "malignant": 0.15}}


class FakeClassifier:
    """Classifier stand-in: fixed probabilities per file name; ``gate`` holds a.pgm's call."""

    name, version, threshold = "fake-classifier", "0", 0.5
    card: dict = {}

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.calls: list[str] = []

    def predict(self, image):
        name = Path(image.path).name
        self.calls.append(name)
        if self.gate is not None and name == "a.pgm":
            self.gate.wait(10)
        return dict(PROBS.get(name, {"normal": 0.9, "benign": 0.05, "malignant": 0.05}))

    def decide(self, p):
        if 1.0 - p["normal"] < self.threshold:
            return "normal"
        return "malignant" if p["malignant"] > p["benign"] else "benign"


# -- the box in the window ----------------------------------------------------------------
def attach(window, tmp_path, classifier_factory):
    from mammoviewer.gui.app import attach_review

    review = attach_review(window, store=tmp_path / "review.sqlite",
                           detector_factory=lambda: ScriptedDetector(), classify=True,
                           classifier_factory=classifier_factory)
    review.set_background_detection(False)
    return review


def test_the_flag_follows_the_threshold_and_reader_edits(qtbot, window, tmp_path):
    films = write_films(tmp_path / "films")
    review = attach(window, tmp_path, lambda: FakeClassifier())
    try:
        view = review.panel.case_score
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            window.open_path(films / "b.pgm")  # one finding: benign 0.77; the classifier says benign
        qtbot.waitUntil(lambda: review.case_score.probabilities is not None, timeout=15000)
        assert "normal 0.05 \u00b7 benign 0.80 \u00b7 malignant 0.15" == view.probabilities_label.text()
        assert "Decision: benign" in view.decision_label.text()
        assert "fake-classifier 0" in view.classifier_label.text()
        assert "top finding score 0.77 (class guess: benign)" in view.detector_label.text()
        assert view.warning == ""
        review.panel.set_threshold(0.8)  # past the only finding (0.77), which the case threshold (0.5) counts
        assert view.warning == "" and view.warning_label.isHidden()  # the two thresholds differ: no contradiction
        assert "differ" in view.note_label.text() and not view.note_label.isHidden()
        review.panel.set_threshold(0.7)
        assert view.warning == "" and view.note_label.isHidden()
        review.select(review.findings()[0].id)
        review.editing.set_status("rejected")  # a rejected finding does not count
        assert "Classifier says benign" in view.warning
        review.undo()
        assert view.warning == ""
    finally:
        review.close()


def test_a_result_for_a_film_no_longer_shown_is_dropped(qtbot, app, tmp_path):
    from mammoviewer.gui.jobs import JobRunner
    from mammoviewer.io import load_image

    films = write_films(tmp_path / "films")
    gate = threading.Event()
    fake = FakeClassifier(gate)
    jobs, view = JobRunner(), CaseScoreView()
    service = CaseScoreService(jobs, view, lambda: fake)
    service.load()
    qtbot.waitUntil(lambda: service.classifier is not None, timeout=5000)
    service.show_film("a", load_image(films / "a.pgm"))
    qtbot.waitUntil(lambda: "a.pgm" in fake.calls, timeout=5000)
    service.set_findings([], 0.5)
    service.show_film("b", load_image(films / "b.pgm"))  # while a.pgm is still being scored
    service.set_findings([], 0.5)
    scored: list[str] = []
    service.scored.connect(scored.append)
    gate.set()  # a.pgm's result arrives first (one model job at a time) and must be dropped
    qtbot.waitUntil(lambda: scored == ["b"], timeout=5000)
    assert fake.calls == ["a.pgm", "b.pgm"]
    jobs.wait(5000)
    qtbot.wait(50)
    assert scored == ["b"]
    assert service.probabilities == PROBS["b.pgm"]
    assert view.probabilities_label.text().startswith("normal 0.05")
    assert "Classifier says benign" in view.warning  # no findings on b


def test_a_missing_model_is_one_line_and_review_goes_on(qtbot, window, tmp_path):
    films = write_films(tmp_path / "films")
    review = attach(window, tmp_path, classifier_factory(str(tmp_path / "nowhere")))
    try:
        with qtbot.waitSignal(review.findingsShown, timeout=15000):
            window.open_path(films / "a.pgm")
        qtbot.waitUntil(lambda: review.case_score.error is not None, timeout=15000)
        view = review.panel.case_score
        text = view.classifier_label.text()
        assert text.startswith("Case classifier not available") and "not found" in text and "\n" not in text
        assert all(w.isHidden() for w in (view.probabilities_label, view.decision_label, view.warning_label))
        assert review.case_score.settled()
        assert len(review.findings()) == 3 and review.panel.table.rowCount() == 2  # findings unaffected
    finally:
        review.close()


#: the viewer as ``mammoviewer view`` runs it (bundled detector and classifier, each loaded and
#: run on workers), in its own process; prints what the Case score box shows
_REAL_SCRIPT = """
import json, sys
from mammoviewer.gui.app import attach_review, create_app, wait_for_case_score, wait_for_findings, wait_for_load
from mammoviewer.gui.viewer.main_window import MainWindow
app = create_app()
window = MainWindow()
review = attach_review(window, store=sys.argv[2], classify=True)
window.show()
window.open_path(sys.argv[1])
wait_for_load(window)
wait_for_findings(review)
settled = wait_for_case_score(review)
service, view = review.case_score, review.panel.case_score
c = service.classifier
from mammoviewer.gui.review.case_score_text import model_scores
from mammoviewer.io import load_image
from mammoviewer.studies.pairing import contralateral_path
other = service._other
rule = c.case_rule(other is not None)
expected = rule.probabilities(model_scores(review.findings()), service.probabilities,
                              other.scores if other is not None and rule.contralateral else None) if rule else None
partner = contralateral_path(load_image(sys.argv[1]))
fresh = [d.score for d in review.detection.detector.detect(load_image(partner), threshold=0.0)] if partner else None
print(json.dumps({"other": view.other_label.text(), "paired": other is not None, "contralateral": rule.contralateral,
                  "other_scores": other.scores if other is not None else None, "fresh_other_scores": fresh,"settled": settled, "p": service.case_probabilities, "row": view.probabilities_label.text(),
                  "classifier_p": service.probabilities, "expected": expected,
                  "combined": c.combined is not None,
                  "decision": view.decision_label.text(), "head": view.classifier_label.text(),
                  "detector": view.detector_label.text(),
                  "decide": (c.combined or c).decide(service.case_probabilities) if service.case_probabilities else None,
                  "tips": view.classifier_label.toolTip() + view.detector_label.toolTip()}))
window.close()
window.jobs.wait(10000)
review.close()
"""


@pytest.mark.slow
def test_the_real_classifier_scores_mdb023(mias_film, tmp_path):
    """The bundled classifier (and detector) in the viewer on a real MIAS film."""
    import json
    import os
    import subprocess
    import sys

    from gui_support import ROOT

    lone = tmp_path / "mdb023.pgm"  # alone in its folder: no other breast beside it
    lone.write_bytes(Path(mias_film).read_bytes())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", _REAL_SCRIPT, str(lone), str(tmp_path / "r.sqlite")],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["settled"], out
    p = out["p"]
    assert p is not None and set(p) == {"normal", "benign", "malignant"}
    assert sum(p.values()) == pytest.approx(1.0, abs=1e-6) and all(0.0 <= v <= 1.0 for v in p.values())
    texts = dict(re.findall(r"(normal|benign|malignant) ([<>]?\d\.\d\d)", out["row"]))
    assert texts.keys() == p.keys() and "0.00" not in texts.values()  # never a certainty the model lacks
    for k, text in texts.items():
        if text == "<0.01":
            assert p[k] < 0.005
        elif text == ">0.99":
            assert p[k] >= 0.995
        else:
            assert float(text) == pytest.approx(p[k], abs=0.005)
    assert out["decision"].startswith(f"Decision: {out['decide']}")
    # the bundled card carries the combined rule: the box shows detector + classifier, not the classifier alone
    assert out["combined"] and p == pytest.approx(out["expected"], abs=1e-9)
    assert p["malignant"] / (p["benign"] + p["malignant"]) == pytest.approx(
        out["classifier_p"]["malignant"] / (out["classifier_p"]["benign"] + out["classifier_p"]["malignant"]), abs=1e-9)
    assert "case-classifier" in out["head"] and "AUC" in out["tips"]
    assert re.search(r"Detector idbll-light .*: top finding score \d\.\d\d \(class guess: (benign|malignant)\)", out["detector"])
    assert not out["paired"] and out["other"] == "Other breast: no film of it found beside this one; scored alone"


@pytest.mark.slow
def test_the_real_case_score_compares_the_other_breast(mias_film, tmp_path):
    """With the patient's other film beside it (mdb024 for mdb023), the box compares the two breasts."""
    import json
    import os
    import subprocess
    import sys

    from gui_support import ROOT

    right, left = tmp_path / "mdb023.pgm", tmp_path / "mdb024.pgm"
    right.write_bytes(Path(mias_film).read_bytes())
    left.write_bytes((ROOT / "resources" / "samples" / "mdb024.pgm").read_bytes())  # the bundled other breast
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", _REAL_SCRIPT, str(right), str(tmp_path / "r.sqlite")],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["settled"] and out["paired"] and out["contralateral"], out
    assert out["other"].startswith("Compared with the other breast: mdb024.pgm (its top finding score ")
    assert out["other_scores"] == pytest.approx(out["fresh_other_scores"], abs=1e-6)
    assert out["p"] == pytest.approx(out["expected"], abs=1e-9)
    assert "other breast" in out["tips"]

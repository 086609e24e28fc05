"""Help › About: what MammoViewer is for (research use, not clinical use) and the bundled models' cards,
figures and plots.

:func:`about_html` builds the text from the cards in ``models/`` (plain JSON reading, no model is
loaded); :class:`AboutDialog` shows it with the cards' plots. :data:`NOTICE` is also the window's
permanent status-bar notice.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

MODELS = Path(__file__).resolve().parents[2] / "models"
NOTICE = "Research use only \u2014 not for clinical use"
NOTICE_TEXT = ("MammoViewer is research software, not a medical device. Its findings, scores and decisions are "
               "not diagnoses and must not be used for the care of patients. The bundled models were trained "
               "from scratch on mini-MIAS (322 digitised films of 161 women), whose licence allows research use "
               "only, and so do the models trained on it.")
#: the cards read, with their plots: (folder, card file, title)
CARDS = (("idbll-light", "model.json", "Lesion detector"), ("case-classifier", "card.json", "Case classifier"),
         ("density", "card.json", "Breast density"))


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _ms(block: Any) -> str:
    """``"0.60 ± 0.14"`` from ``{"mean", "sd"}``; "?" when absent."""
    try:
        return f"{float(block['mean']):.2f} \u00b1 {float(block['sd']):.2f}"
    except (KeyError, TypeError, ValueError):
        return "?"


def card_figures(folder: str, card: dict[str, Any]) -> list[str]:
    """The card's cross-validated figures, one line each (what a reader should expect of the model)."""
    lines: list[str] = []
    if folder == "idbll-light":
        m = (card.get("metrics") or {}).get("mean_sd_over_folds") or {}
        froc = m.get("froc") or {}
        if froc:
            lines.append(f"Lesion sensitivity at 1 false positive per film: {_ms(froc.get('1'))} "
                         f"(5-fold patient-level cross-validation; at 0.5 FP {_ms(froc.get('0.5'))}, "
                         f"at 2 FP {_ms(froc.get('2'))})")
        if "default_threshold" in card:
            lines.append(f"Operating point (the Findings threshold at start): {float(card['default_threshold']):.3f}")
    elif folder == "case-classifier":
        cv = ((card.get("case_score") or {}).get("cross_validation") or {}).get("mean_sd") or {}
        if cv:
            lines.append(f"Case score AUC normal vs abnormal {_ms(cv.get('auc_normal_vs_abnormal'))}, malignant vs "
                         f"rest {_ms(cv.get('auc_malignant_vs_rest'))} (5-fold patient-level cross-validation)")
        own = (card.get("cross_validation") or {}).get("mean_sd") or {}
        if own:
            lines.append(f"Classifier alone: AUC normal vs abnormal {_ms(own.get('auc_normal_vs_abnormal'))}")
        threshold = (card.get("case_score") or {}).get("threshold")
        if threshold is not None:
            lines.append(f"Case threshold: {float(threshold):.3f}")
    elif folder == "density":
        cv = card.get("cross_validation") or {}
        if cv:
            lines.append(f"Tissue class F/G/D against the films' own labels: accuracy {_ms(cv.get('accuracy'))}, "
                         f"weighted kappa {_ms(cv.get('weighted_kappa'))} ({cv.get('films', '?')} films)")
    origin = card.get("weights_origin")
    if origin:
        lines.append(f"Weights: {origin}")
    return lines


def card_plots(folder: str, card: dict[str, Any], models: Path = MODELS) -> list[Path]:
    """The plots of a card that exist on disk."""
    names = list(card.get("plots") or []) + ["cv_froc.png", "cv_pr.png"]
    return [models / folder / n for n in dict.fromkeys(names) if (models / folder / n).is_file()]


def about_html(models: Path = MODELS) -> str:
    """The About text: the notice, then each bundled model's card and figures."""
    from mammoviewer import __version__ as version

    parts = [f"<h2>MammoViewer {escape(str(version))}</h2>",
             f"<p style='color:#ff8060'><b>{escape(NOTICE)}.</b> {escape(NOTICE_TEXT)}</p>"]
    for folder, name, title in CARDS:
        card = _read(models / folder / name)
        if not card:
            parts.append(f"<h3>{escape(title)}</h3><p>No card found at {escape(str(models / folder / name))}.</p>")
            continue
        head = f"{title}: {card.get('name', folder)} {card.get('version', '')}".strip()
        lines = "".join(f"<li>{escape(line)}</li>" for line in card_figures(folder, card))
        parts.append(f"<h3>{escape(head)}</h3><ul>{lines}</ul>"
                     f"<p>Card: <code>models/{escape(folder)}/{escape(name)}</code>; more in models/README.md.</p>")
    return "".join(parts)


class AboutDialog(QDialog):
    """Help › About: :func:`about_html` and the cards' plots, in a scroll area."""

    def __init__(self, parent: QWidget | None = None, models: Path = MODELS) -> None:
        super().__init__(parent)
        self.setWindowTitle("About MammoViewer")
        self.resize(760, 720)
        body = QWidget()
        inner = QVBoxLayout(body)
        self.text = QLabel(about_html(models))
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner.addWidget(self.text)
        self.plots: list[QLabel] = []
        for folder, name, _ in CARDS:
            for plot in card_plots(folder, _read(models / folder / name), models):
                picture = QLabel()
                picture.setToolTip(str(plot))
                pixmap = QPixmap(str(plot))
                if not pixmap.isNull():
                    picture.setPixmap(pixmap.scaledToWidth(min(680, pixmap.width()),
                                                           Qt.TransformationMode.SmoothTransformation))
                inner.addWidget(QLabel(f"{folder}/{plot.name}"))
                inner.addWidget(picture)
                self.plots.append(picture)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)

"""Help › About: the research-use notice and the bundled models' cards and figures, in the real window."""

from __future__ import annotations

import json

from mammoviewer.gui.about import MODELS, NOTICE, about_html, card_figures


def test_about_names_the_notice_and_each_models_cross_validated_figures():
    html = about_html()
    assert "Research use only" in html and "not for clinical use" in html and "not a medical device" in html
    card = json.loads((MODELS / "idbll-light" / "model.json").read_text())
    sens = card["metrics"]["mean_sd_over_folds"]["froc"]["1"]
    assert f"{sens['mean']:.2f} \u00b1 {sens['sd']:.2f}" in html  # the figure as the card has it
    assert f"{card['name']} {card['version']}" in html
    assert "Case classifier" in html and "Breast density" in html and "weighted kappa" in html
    assert card_figures("idbll-light", {}) == []  # no invented figures for a card without them


def test_help_about_opens_with_the_plots_and_the_status_bar_keeps_the_notice(qtbot, window):
    assert window.notice_label.text() == NOTICE and window.notice_label.isVisibleTo(window)
    assert window.statusBar().isAncestorOf(window.notice_label)
    action = window.actions_by_name["about"]
    assert action in window.menus["help"].actions()
    action.trigger()
    dialog = window.about_dialog
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and "not for clinical use" in dialog.text.text()
    assert len(dialog.plots) >= 2 and all(not p.pixmap().isNull() for p in dialog.plots)
    dialog.close()

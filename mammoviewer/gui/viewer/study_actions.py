"""The Studies menu and keys of :class:`~mammoviewer.gui.viewer.study_reader.StudyReader`."""

from __future__ import annotations

from typing import Any

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from mammoviewer.studies import Layout

STUDY_HELP = ("Studies: Ctrl+1 / Ctrl+2 / Ctrl+4 one, two (again: the other view), four films \u00b7 "
              "Tab / Shift+Tab next/previous pane \u00b7 N / P (PgDn / PgUp) next/previous study \u00b7 Ctrl+L link window and zoom \u00b7 Shift+C prior beside current \u00b7 "
              "Shift+E enhanced (CLAHE, reading only) \u00b7 Shift+R ruler, Shift+O ellipse ROI (then drag on the film; "
              "Esc cancels) \u00b7 "
              "Shift+X clear measurements \u00b7 Shift+G magnifying glass")


def build_study_actions(reader: Any, window: Any) -> dict[str, QAction]:
    """Add the Studies menu (before Help) to ``window``; the View and Image keys act on the panes while
    studies are read. Returns the actions by name."""
    w = window
    menu = w.menus["studies"] = QMenu("&Studies", w)
    w.menuBar().insertMenu(w.menus["help"].menuAction(), menu)
    actions: dict[str, QAction] = {}

    def add(name: str, text: str, slot, *keys: str, checkable: bool = False, checked: bool = False) -> QAction:
        action = QAction(text, w)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setCheckable(checkable)
        if checkable:
            action.setChecked(checked)
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda *_: slot())
        w.addAction(action)
        menu.addAction(action)
        actions[name] = action
        return action

    add("open_studies", "Open folder as &studies\u2026", reader._ask_open)
    menu.addSeparator()
    add("layout_1up", "&1-up (one film)", lambda: reader.set_layout(Layout.ONE), "Ctrl+1")
    add("layout_2up", "&2-up (right and left of one view)", lambda: reader.set_layout(Layout.TWO), "Ctrl+2")
    add("layout_4up", "&4-up (RCC LCC over RMLO LMLO)", lambda: reader.set_layout(Layout.FOUR), "Ctrl+4")
    add("next_pane", "Next pane", lambda: reader.view.step_active(+1), "Tab")
    add("previous_pane", "Previous pane", lambda: reader.view.step_active(-1), "Shift+Tab", "Backtab")
    menu.addSeparator()
    # N/P, PgDn/PgUp and the toolbar's Prev/Next are the window's: they step study by study while studies are read
    add("next_study", "&Next study", lambda: reader.step_study(+1), "Shift+N", "Ctrl+PgDown")
    add("previous_study", "&Previous study", lambda: reader.step_study(-1), "Shift+P", "Ctrl+PgUp")
    menu.addSeparator()
    add("link", "&Link window/level and zoom/pan", reader.view.set_linked, "Ctrl+L", checkable=True, checked=True)
    add("prior", "Prior &beside current", reader.set_show_prior, "Shift+C", checkable=True)
    add("enhance", "&Enhanced (CLAHE, for reading only)", reader.view.set_enhanced, "Shift+E", checkable=True)
    menu.addSeparator()
    add("ruler", "&Ruler (mm): drag on the film", lambda: reader._measure("arm_ruler"), "Shift+R")
    add("ellipse", "Ellipse &ROI (mean, sd, area): drag on the film", lambda: reader._measure("arm_ellipse"), "Shift+O")
    add("clear_measurements", "Clear &measurements", lambda: reader._measure("clear"), "Shift+X")
    add("magnifier", "Magnifying &glass", reader.set_magnifier, "Shift+G", checkable=True)
    for name in ("next_pane", "previous_pane"):  # Tab moves between panes only while a pane has focus
        w.removeAction(actions[name])
        reader.view.addAction(actions[name])
        actions[name].setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    w.help_lines.append(STUDY_HELP)
    # the View and Image menu's keys act on the panes while studies are read
    from mammoviewer.io.display import auto_window, full_window

    on_active = reader._on_active_view
    for name, slot in (("fit", reader.view.fit), ("default_window", reader.reset_windows),
                       ("zoom_1to1", lambda: on_active("zoom_1to1")),
                       ("zoom_in", lambda: on_active("zoom_by", 1.25)),
                       ("zoom_out", lambda: on_active("zoom_by", 0.8)),
                       ("rotate_cw", lambda: on_active("rotate", 1)),
                       ("rotate_ccw", lambda: on_active("rotate", -1)),
                       ("flip_h", lambda: on_active("flip_horizontal")),
                       ("flip_v", lambda: on_active("flip_vertical")),
                       ("auto_window", lambda: reader._window_on_active(auto_window)),
                       ("full_window", lambda: reader._window_on_active(full_window))):
        w.actions_by_name[name].triggered.connect(lambda *_, s=slot: s() if reader.active_mode else None)
    w.actions_by_name["invert"].toggled.connect(reader.view.set_invert)
    for pane in reader.view.panes:
        pane.windowChanged.connect(lambda shown, p=pane: _show_window(w, shown) if p.active else None)
    return actions


def _show_window(window: Any, shown: Any) -> None:
    """The active pane's window in the status bar."""
    text = "VOI LUT" if shown is None else f"C {shown.center:g}  W {shown.width:g}"
    window.window_label.setText(text + (f"  ({shown.name})" if shown is not None and shown.name else ""))

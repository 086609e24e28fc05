"""The Review menu: keyboard-first actions of the findings review, and their help text.

Single keys act on the selected finding; text fields (the note, the threshold box) keep
their keys while they have focus, so typing there never triggers an action.
"""

from __future__ import annotations

from typing import Callable

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

#: (action name, menu text, shortcuts); ``None`` is a menu separator
REVIEW_KEYS: tuple[tuple[str, str, tuple[str, ...]] | None, ...] = (
    ("next_finding", "Next finding", ("J",)),
    ("previous_finding", "Previous finding", ("K",)),
    None,
    ("accept", "Accept finding", ("A",)),
    ("reject", "Reject finding (false positive)", ("R",)),
    ("benign", "Class: benign", ("B",)),
    ("malignant", "Class: malignant", ("M",)),
    ("cycle_type", "Next finding type", ("T",)),
    ("edit_note", "Edit note", ("E",)),
    ("delete", "Delete finding", ("Del", "Backspace")),
    ("draw", "Draw a new box", ("X", "Ins")),
    ("cancel_draw", "Stop drawing", ("Esc",)),
    None,
    ("undo", "Undo", ("Ctrl+Z",)),
    ("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y")),
    None,
    ("toggle_overlays", "Show/hide findings", ("H",)),
    ("threshold_down", "Lower threshold to the next candidate", ("[",)),
    ("threshold_up", "Raise threshold past the lowest shown candidate", ("]",)),
    ("mark_reviewed", "Mark film reviewed / in progress", ("Ctrl+Return",)),
    ("detect_again", "Detect again (keeps reader edits)", ("Ctrl+D",)),
    ("background_detection", "Detect the next few films in the background", ()),
    None,
    ("open_store", "Open or create review store\u2026", ()),
)

REVIEW_HELP = ("Review: J/K next/previous finding \u00b7 A accept \u00b7 R reject \u00b7 B benign \u00b7 "
               "M malignant \u00b7 T finding type \u00b7 E note \u00b7 Del delete \u00b7 X or Ins draw a box "
               "(then drag; Esc stops) \u00b7 drag a box or its handles to move/resize \u00b7 Ctrl+Z / "
               "Ctrl+Shift+Z undo/redo \u00b7 H hide/show findings \u00b7 [ ] threshold \u00b7 "
               "Ctrl+Enter film reviewed \u00b7 N/PgDn next film")


def build_review_actions(window: QMainWindow, slots: dict[str, Callable[[], object]],
                         menus: dict[str, QMenu]) -> dict[str, QAction]:
    """Add the Review menu (before Help) with ``slots[name]`` behind each action; returns them."""
    menu = QMenu("&Review", window)
    help_menu = menus.get("help")
    if help_menu is not None:
        window.menuBar().insertMenu(help_menu.menuAction(), menu)
    else:
        window.menuBar().addMenu(menu)
    menus["review"] = menu
    actions: dict[str, QAction] = {}
    for entry in REVIEW_KEYS:
        if entry is None:
            menu.addSeparator()
            continue
        name, text, keys = entry
        action = QAction(text, window)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        if name == "background_detection":
            action.setCheckable(True)
            action.setChecked(True)
            action.toggled.connect(slots[name])
        else:
            action.triggered.connect(lambda *_, fn=slots[name]: fn())
        window.addAction(action)  # works with the menu bar hidden
        menu.addAction(action)
        actions[name] = action
    return actions

"""The Qt viewer (PySide6 + pyqtgraph). Only this package imports Qt.

Qt modules of this package apply the binding work-arounds of ``qt_fixes`` when imported;
``gui.decoder`` (run in a child process) stays Qt-free.
"""

"""The Qt viewer (PySide6 + pyqtgraph). Only this package imports Qt.

Qt modules of this package apply the binding work-arounds of ``qt_fixes`` when imported.
Sub-packages: ``viewer`` (the window, canvas, worklist, loading), ``review`` (findings, editing,
detector and case score in the window), ``tools`` (retraining); ``jobs`` is the one place that
starts threads.
"""

"""The Qt viewer (PySide6 + pyqtgraph). Only this package imports Qt.

Importing it applies the binding work-arounds in ``qt_fixes`` before any widget exists.
"""

from mammoviewer.gui import qt_fixes as _qt_fixes

_qt_fixes.apply()

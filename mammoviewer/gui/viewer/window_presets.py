"""The window/level presets of the shown image: a toolbar combo box and a menu, kept in step with the view."""

from __future__ import annotations

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtWidgets import QComboBox, QLabel, QMenu

from mammoviewer.gui.viewer.image_view import ImageView, window_presets
from mammoviewer.io.image import Image, Window


def describe_window(window: Window | None, image: Image | None) -> str:
    """Status-bar text of the current window (or of the image's VOI LUT when no window applies)."""
    if window is None:
        voi = image.voi_luts[0] if image is not None and image.voi_luts else None
        return f"VOI LUT {voi.name}" if voi is not None and voi.name else "VOI LUT"
    text = f"C {window.center:g}  W {window.width:g}"
    return text + f"  ({window.name})" if window.name else text


class WindowPresets:
    """Owns the preset list of the shown image, its combo box and menu; applies a chosen one."""

    def __init__(self, view: ImageView, menu: QMenu, label: QLabel) -> None:
        self.view = view
        self.menu = menu
        self.label = label  # status-bar text of the current window
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._chosen)
        self.presets: list[tuple[str, Window | None]] = []
        self._loaded: tuple[Image, list[tuple[str, Window | None]]] | None = None
        view.windowChanged.connect(self.show_window)

    def set_view(self, view: ImageView) -> None:
        """Follow ``view`` from now on (e.g. the active pane of a hanging): its presets and window."""
        if view is self.view:
            return
        self.view.windowChanged.disconnect(self.show_window)
        self.view = view
        view.windowChanged.connect(self.show_window)
        self._loaded = None
        if view.image is not None:
            self.fill(view.image)
        else:
            self.clear()

    def remember(self, image: Image, presets: list[tuple[str, Window | None]]) -> None:
        """Presets computed off the UI thread for ``image``, used when it is shown."""
        self._loaded = (image, presets)

    def fill(self, image: Image) -> None:
        """List the presets of the newly shown ``image``."""
        cached = self._loaded
        self.presets = cached[1] if cached is not None and cached[0] is image else window_presets(image)
        self._loaded = None
        self.combo.blockSignals(True)
        self.combo.clear()
        self.menu.clear()
        for name, window in self.presets:
            self.combo.addItem(name)
            self.menu.addAction(name).triggered.connect(lambda *_, w=window: self.view.set_window(w))
        self.combo.blockSignals(False)
        self.show_window(self.view.current_window)

    def clear(self) -> None:
        self.presets = []
        self.combo.clear()
        self.menu.clear()
        self.label.clear()

    def names(self) -> list[str]:
        return [n for n, _ in self.presets]

    def apply(self, name: str) -> bool:
        """Apply the preset whose label is ``name`` or starts with ``name + " "``; True if found."""
        for label, window in self.presets:
            if label == name or label.startswith(name + " "):
                self.view.set_window(window)
                return True
        return False

    def show_window(self, window: Window | None) -> None:
        """Reflect the view's window in the status text and the combo box ("Custom" if none matches)."""
        self.label.setText(describe_window(window, self.view.image))
        match = next((i for i, (_, w) in enumerate(self.presets) if w == window), -1)
        self.combo.blockSignals(True)
        if match < 0 and "Custom" not in self.names():
            self.combo.addItem("Custom")
        self.combo.setCurrentIndex(match if match >= 0 else self.combo.count() - 1)
        self.combo.blockSignals(False)

    def _chosen(self, index: int) -> None:
        if 0 <= index < len(self.presets):
            self.view.set_window(self.presets[index][1])

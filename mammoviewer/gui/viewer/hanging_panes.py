"""The panes of a hanging protocol: an :class:`ImageView` per film, drawn from a screen-sized copy.

:class:`PreviewImageItem` renders a film from a block average at the power of two that matches
the screen (computed once per film and zoom step), so a window change across four 16-bit films of
4000x3000 re-renders about a million pixels instead of fifty million; the item keeps the film's full
pixel frame, so overlays, the cursor readout and boxes stay in full-resolution pixels. With
``enhance`` on it shows the reading-only CLAHE of the displayed picture.

:class:`PaneView` adds a caption, the active-pane frame, the hanging's flips and a fit that puts
the chest wall against the pane's inner edge.
"""

from __future__ import annotations

import numpy as np
from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from mammoviewer.gui.viewer.image_view import ImageView
from mammoviewer.io.display import lut_indices
from mammoviewer.io.image import Image, Window
from mammoviewer.studies import Pane

#: the largest block the preview averages (a 4096-pixel side becomes 128 pixels at most)
MAX_PREVIEW_FACTOR = 32
#: previews kept per film (zoom steps)
PREVIEWS_KEPT = 3
ACTIVE_STYLE = "QLabel { background: #2a62a0; color: white; padding: 2px 6px; font-weight: bold; }"
IDLE_STYLE = "QLabel { background: #202022; color: #c8c8c8; padding: 2px 6px; }"
ENHANCED_STYLE = "QLabel#enhancedMark { background: #8a5a00; color: white; padding: 2px 6px; font-weight: bold; }"


def block_average(pixels: np.ndarray, factor: int) -> np.ndarray:
    """``pixels`` shrunk by ``factor`` on both axes, each output pixel the mean of its block."""
    if factor <= 1:
        return pixels
    import cv2

    rows, cols = pixels.shape[0] // factor, pixels.shape[1] // factor
    if rows < 1 or cols < 1:
        return pixels
    src = pixels[: rows * factor, : cols * factor]
    if src.dtype not in (np.uint8, np.uint16, np.int16, np.float32):
        src = src.astype(np.float32)
    return cv2.resize(src, (cols, rows), interpolation=cv2.INTER_AREA)


class PreviewImageItem(pg.ImageItem):
    """An ImageItem that renders from a cached, screen-sized block average (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["autoDownsample"] = False
        super().__init__(*args, **kwargs)
        self._previews: dict[int, np.ndarray] = {}
        self.enhance = False
        self.preview_factor = 1

    def setImage(self, image=None, autoLevels=None, **kwargs):  # noqa: N802 (pyqtgraph naming)
        kwargs["autoDownsample"] = False
        if image is not None:
            self._previews = {}
        super().setImage(image, autoLevels, **kwargs)

    def set_enhance(self, on: bool) -> None:
        self.enhance = bool(on)
        self._renderRequired = True
        self.update()

    def _factor(self) -> int:
        xds, yds = self._computeDownsampleFactors()
        factor = 1
        while factor * 2 <= min(xds, yds, MAX_PREVIEW_FACTOR):
            factor *= 2
        return factor

    def preview(self, factor: int) -> np.ndarray:
        """The block average of the film at ``factor`` (cached)."""
        cached = self._previews.get(factor)
        if cached is None:
            cached = block_average(self.image, factor)
            if len(self._previews) >= PREVIEWS_KEPT:
                self._previews.pop(next(iter(self._previews)))
            self._previews[factor] = cached
        return cached

    @staticmethod
    def _enhanced(shown: np.ndarray, levels, lut: np.ndarray) -> np.ndarray:
        """The CLAHE of ``shown`` through ``levels`` and ``lut`` as uint8; levels are made safe first
        (``lut_indices``), so whatever the window the picture is finite and the paint never fails."""
        from mammoviewer.io.enhance import clahe

        picture = lut[lut_indices(shown, (float(levels[0]), float(levels[1])), len(lut))]
        return clahe(picture.astype(np.float32) / 255.0)

    def render(self) -> None:
        full = self.image
        if full is None or full.ndim != 2 or full.size == 0:
            return super().render()
        self.preview_factor = self._factor()
        shown = self.preview(self.preview_factor)
        levels, lut = self.levels, self.lut
        if self.enhance and lut is not None and levels is not None and not callable(lut):
            shown = self._enhanced(shown, levels, np.asarray(lut))
            self.levels, self.lut = np.array([0.0, 255.0]), None
        self.image = shown
        try:
            super().render()
        finally:
            self.image, self.levels, self.lut = full, levels, lut


class PaneView(ImageView):
    """One pane: an ImageView drawn from previews, with a caption bar and the hanging's flips."""

    activated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view_box.removeItem(self.image_item)
        self.image_item = PreviewImageItem(axisOrder="row-major")
        self.view_box.addItem(self.image_item)
        self.pane: Pane | None = None
        self.caption = QLabel("")
        self.caption.setStyleSheet(IDLE_STYLE)
        self.enhanced_mark = QLabel("")
        self.enhanced_mark.setObjectName("enhancedMark")
        self.enhanced_mark.setStyleSheet(ENHANCED_STYLE)
        self.enhanced_mark.hide()
        self.frame = QWidget()
        layout = QVBoxLayout(self.frame)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.enhanced_mark)
        layout.addWidget(self, 1)
        self.graphics.scene().sigMouseClicked.connect(lambda *_: self.activated.emit())
        self._active = False
        #: True while the pane shows its film as fitted (it refits when resized)
        self.fitted = False
        self.view_box.sigResized.connect(self._on_resized)
        self.view_box.sigRangeChangedManually.connect(self._on_moved)

    # -- content -----------------------------------------------------------------------
    def show_pane(self, pane: Pane, image: Image | None, window: Window | None = None) -> None:
        """Show ``image`` as ``pane`` says (flips, chest-wall side); None shows the empty pane."""
        self.pane = pane
        if image is None:
            self.clear(f"{pane.label}: no film")
        else:
            self.set_image(image, window)  # upright: the flips below are the hanging's
            if pane.flip_horizontal:
                self._flip_h = True
            if pane.flip_vertical:
                self._flip_v = True
            self._apply_transform(refit=True)
        self._show_caption()

    def _show_caption(self) -> None:
        pane = self.pane
        if pane is None:
            self.caption.setText("")
            return
        text = pane.label
        if self.image is not None:
            from pathlib import Path

            text += f"  \u00b7  {Path(self.image.path).name}"
            if pane.flip_horizontal or pane.flip_vertical:
                text += "  \u00b7  mirrored" if pane.flip_horizontal else "  \u00b7  flipped"
            if pane.orientation_unknown:
                text += "  \u00b7  orientation unknown"
        self.caption.setText(text)

    @property
    def chest_wall(self) -> str | None:
        """Where the film's chest wall is on screen (``"left"``/``"right"``), as hung."""
        return self.pane.chest_wall if self.pane is not None and self.image is not None else None

    def set_active(self, on: bool) -> None:
        """Mark the pane the reader works in (review, keys)."""
        self._active = bool(on)
        self.caption.setStyleSheet(ACTIVE_STYLE if on else IDLE_STYLE)

    @property
    def active(self) -> bool:
        return self._active

    def set_enhanced(self, on: bool, label: str = "") -> None:
        """Show the reading-only CLAHE enhancement (marked on the pane) or the plain picture."""
        self.image_item.set_enhance(on)
        self.enhanced_mark.setText(label)
        self.enhanced_mark.setVisible(bool(on))

    # -- geometry ----------------------------------------------------------------------
    def _on_resized(self, *_args) -> None:
        if self.fitted:
            self.fit()

    def _on_moved(self, *_args) -> None:
        self.fitted = False

    def set_zoom(self, zoom: float) -> None:
        self.fitted = False
        super().set_zoom(zoom)

    def fit(self) -> None:
        """Fit the film, its chest wall against the pane's inner edge (the middle of the layout)."""
        super().fit()
        self.fitted = self.image is not None
        side = self.chest_wall
        if side is None:
            return
        image, view = self.image_scene_rect(), self.view_box.viewRect()
        dx = image.right() - view.right() if side == "right" else image.left() - view.left()
        self.view_box.setRange(xRange=(view.left() + dx, view.right() + dx),
                               yRange=(view.top(), view.bottom()), padding=0.0)
        self.view_box.prepareForPaint()

    def chest_wall_view(self) -> tuple[float, float, float] | None:
        """What the pane shows, measured from the chest wall: (distance of the view centre from the
        chest wall, its height from the film's top, in film pixels; screen pixels per film pixel)."""
        side = self.chest_wall
        if side is None:
            return None
        image, view = self.image_scene_rect(), self.view_box.viewRect()
        c = view.center()
        u = image.right() - c.x() if side == "right" else c.x() - image.left()
        return u, c.y() - image.top(), self.zoom()

    def show_chest_wall_view(self, u: float, v: float, zoom: float) -> None:
        """Show the region :meth:`chest_wall_view` describes, in this pane's film."""
        side = self.chest_wall
        if side is None or zoom <= 0:
            return
        image = self.image_scene_rect()
        cx = image.right() - u if side == "right" else image.left() + u
        cy = image.top() + v
        half_w, half_h = self.view_box.width() / zoom / 2.0, self.view_box.height() / zoom / 2.0
        self.fitted = False
        self.view_box.setRange(xRange=(cx - half_w, cx + half_w), yRange=(cy - half_h, cy + half_h), padding=0.0)
        self.view_box.prepareForPaint()

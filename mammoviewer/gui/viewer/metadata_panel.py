"""The metadata panel: format, geometry, photometric, windows and source tags of an image."""

from __future__ import annotations

from typing import Any

from mammoviewer.gui import qt_fixes  # noqa: F401,I001 (binding work-around, before Qt)
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from mammoviewer.io.image import Image


def describe(image: Image) -> list[tuple[str, str]]:
    """The (field, value) rows shown for ``image``."""
    px = image.pixels
    spacing = (f"{image.pixel_spacing_mm[0]:g} x {image.pixel_spacing_mm[1]:g} mm (row x col)"
               if image.pixel_spacing_mm else "unknown")
    windows = "; ".join(f"{w.name or 'unnamed'}: C {w.center:g} W {w.width:g}"
                        + ("" if w.function == "LINEAR" else f" {w.function}") for w in image.windows)
    rows = [
        ("File", image.path),
        ("Format", image.format.upper()),
        ("Size", f"{image.columns} x {image.rows} px (W x H)"),
        ("Bits stored", str(image.bits_stored)),
        ("Pixel type", f"{px.dtype}, range {px.min():g} to {px.max():g}" if px.size else str(px.dtype)),
        ("Photometric", image.photometric),
        ("Modality", image.modality or "-"),
        ("Laterality", image.laterality or "-"),
        ("View", image.view or "-"),
        ("Pixel spacing", spacing),
        ("Windows", windows or "-"),
        ("VOI LUTs", ", ".join(v.name or "unnamed" for v in image.voi_luts) or "-"),
        ("Intent", image.presentation_intent or "-"),
    ]
    return rows


def _text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


class MetadataPanel(QWidget):
    """Two-column tree: image facts, then the source tags under "Source tags"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Field", "Value"])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)

    def show_image(self, image: Image) -> None:
        self.tree.clear()
        for key, value in describe(image):
            item = QTreeWidgetItem([key, _text(value)])
            item.setToolTip(1, str(value))
            self.tree.addTopLevelItem(item)
        if image.metadata:
            tags = QTreeWidgetItem(["Source tags", f"{len(image.metadata)}"])
            for key, value in image.metadata.items():
                tags.addChild(QTreeWidgetItem([str(key), _text(value)]))
            self.tree.addTopLevelItem(tags)
        self.tree.resizeColumnToContents(0)

    def clear(self) -> None:
        self.tree.clear()

    def value(self, field: str) -> str | None:
        """The shown value of a top-level ``field`` (None if absent)."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.text(0) == field:
                return item.text(1)
        return None

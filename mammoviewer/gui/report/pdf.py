"""Paint a report into a PDF with Qt (``QPdfWriter``): heading, sections, then the key images.

Needs a QGuiApplication (the command line starts an offscreen one: :func:`ensure_app`). A4 portrait,
text on the first page(s), key images two per row below the text and on following pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from mammoviewer.reporting.content import Section
from mammoviewer.reporting.key_images import KeyImage

DPI = 150


def ensure_app() -> QGuiApplication:
    """The running Qt application, or a new offscreen one (for the command line; a QApplication, so
    widgets can still be made in the same process)."""
    from PySide6.QtWidgets import QApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app  # type: ignore[return-value]


class _Pages:
    """A cursor down the pages of a writer."""

    def __init__(self, writer: QPdfWriter, painter: QPainter) -> None:
        self.writer, self.painter = writer, painter
        self.width = writer.width()
        self.height = writer.height()
        self.y = 0.0

    def need(self, height: float) -> None:
        if self.y + height > self.height and self.y > 0:
            self.writer.newPage()
            self.y = 0.0

    def text(self, text: str, size: float, bold: bool = False, gap: float = 0.3) -> None:
        font = QFont("DejaVu Sans", 1)
        font.setPointSizeF(size)
        font.setBold(bold)
        self.painter.setFont(font)
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        rect = self.painter.boundingRect(QRectF(0, 0, self.width, 10 * self.height), flags, text)
        self.need(rect.height())
        self.painter.drawText(QRectF(0, self.y, self.width, rect.height()), flags, text)
        self.y += rect.height() + gap * size * DPI / 72


def write_pdf(path: Path, heading: Sequence[str], parts: Sequence[Section], images: Sequence[KeyImage]) -> None:
    """Write the report to ``path`` (OSError when it cannot be written)."""
    ensure_app()
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))  # fmt: skip
    writer.setTitle(heading[0] if heading else "Breast imaging report")
    writer.setCreator("MammoViewer")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot open {path} for writing")
    try:
        pages = _Pages(writer, painter)
        for i, line in enumerate(heading):
            pages.text(line, 15 if i == 0 else 9, bold=i == 0)
        for part in parts:
            pages.text(part.title, 11, bold=True, gap=0.1)
            for line in part.lines:
                pages.text(line, 9, gap=0.15)
            pages.y += 6
        _images(pages, images)
    finally:
        painter.end()
    if not path.is_file() or path.stat().st_size == 0:
        raise OSError(f"Qt wrote nothing to {path}")


def _images(pages: _Pages, images: Sequence[KeyImage]) -> None:
    if not images:
        return
    pages.text("Key images", 11, bold=True, gap=0.1)
    gap = pages.width * 0.03
    cell_w = (pages.width - gap) / 2
    cell_h = pages.height * 0.42
    for i in range(0, len(images), 2):
        pages.need(cell_h + 40)
        for j, key in enumerate(images[i:i + 2]):
            rgb = key.rgb
            qimg = QImage(rgb.data, rgb.shape[1], rgb.shape[0], 3 * rgb.shape[1], QImage.Format.Format_RGB888)
            scale = min(cell_w / rgb.shape[1], cell_h / rgb.shape[0])
            w, h = rgb.shape[1] * scale, rgb.shape[0] * scale
            x = j * (cell_w + gap) + (cell_w - w) / 2
            pages.painter.drawImage(QRectF(x, pages.y, w, h), qimg.copy())
            pages.painter.drawText(QRectF(j * (cell_w + gap), pages.y + h + 4, cell_w, 40),
                                   int(Qt.AlignmentFlag.AlignHCenter), key.caption)  # fmt: skip
        pages.y += cell_h + 50

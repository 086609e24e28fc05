"""Qt-free image loading: PGM, DICOM, PNG and TIFF at full fidelity, and the display pipeline."""

from mammoviewer.io.image import Image, VoiLut, Window
from mammoviewer.io.loader import load_image

__all__ = ["Image", "VoiLut", "Window", "load_image"]

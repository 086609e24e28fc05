"""The project's exceptions: one per boundary, each message names the file and the problem."""

from __future__ import annotations


class MammoViewerError(Exception):
    """Base of every error the application reports to a user."""


class ImageReadError(MammoViewerError):
    """An image file could not be read (missing, broken, unsupported)."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class DetectorError(MammoViewerError):
    """The detector or classifier could not be loaded, trained or run."""


class NotMammogramError(DetectorError):
    """A film the models must not grade: not a mammogram (another modality, or no breast found)."""


class StoreError(MammoViewerError):
    """The review store could not be opened, read or written."""


class ExportError(MammoViewerError):
    """Annotations could not be imported or exported."""


class PacsError(MammoViewerError):
    """A PACS node could not be reached, refused us, or a query, retrieve or send failed."""

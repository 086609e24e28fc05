"""The one rule that names an image in a review store."""

from __future__ import annotations

from pathlib import Path


def image_key(path: str | Path) -> str:
    """The store key of a film: its absolute path (``~`` expanded, symlinks kept)."""
    return str(Path(path).expanduser().absolute())

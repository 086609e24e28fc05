"""The inputs of a batch: files given and images found in folders, each with the identity of its content.

An input is a :class:`FileKey` (absolute path, size, modification time in ns): it tells a finished
input from one whose file changed since, without reading the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mammoviewer.errors import ImageReadError
from mammoviewer.io.sniff import SNIFF_BYTES, sniff_format

#: file name endings taken as images when a folder is scanned (files without an ending are sniffed)
IMAGE_SUFFIXES = (".pgm", ".dcm", ".dicom", ".png", ".tif", ".tiff")


@dataclass(frozen=True, slots=True)
class FileKey:
    """Identity of an input file's content: absolute path, size and mtime in nanoseconds."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> FileKey:
        """The key of ``path`` now (size -1 for a file that cannot be stat'ed: never "finished")."""
        absolute = os.path.abspath(os.path.expanduser(os.fspath(path)))
        try:
            st = os.stat(absolute)
        except OSError:
            return cls(absolute, -1, -1)
        return cls(absolute, st.st_size, st.st_mtime_ns)

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns}


def _is_image(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return True
    if suffix:  # any other ending (.txt, .json, .jsonl, .csv ...) is not a film
        return False
    try:  # archives often store DICOM files without an ending: look at the content
        with path.open("rb") as fh:
            return sniff_format(fh.read(SNIFF_BYTES)) is not None
    except OSError:
        return False


def _folder_images(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            p = Path(root) / name
            if not name.startswith(".") and p.is_file() and _is_image(p):
                found.append(p)
    return sorted(found)


def collect_inputs(sources: Iterable[str | os.PathLike[str]]) -> list[FileKey]:
    """The films of ``sources`` (files as given, folders searched recursively for images), in order.

    Each is named by its absolute path (workers on other machines see the same path on a shared
    file system). A file reached twice (named twice, or named and inside a named folder) is one
    input. ImageReadError naming the source if it does not exist.
    """
    inputs: list[FileKey] = []
    seen: set[str] = set()
    for source in sources:
        src = Path(source)
        if src.is_dir():
            paths = _folder_images(src)
        elif src.exists():
            paths = [src]
        else:
            raise ImageReadError(src, "no such file or folder")
        for p in paths:
            key = FileKey.of(p)
            if key.path not in seen:
                seen.add(key.path)
                inputs.append(key)
    return inputs

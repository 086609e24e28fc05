"""``load_image``: open any supported file by its content, with MIAS films recognised."""

from __future__ import annotations

import os
import re
import stat
import warnings
from pathlib import Path

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image
from mammoviewer.geometry.mias import MIAS_PIXEL_MM, MIAS_SIZE
from mammoviewer.io.sniff import SNIFF_BYTES, sniff_format
from mammoviewer.messages import clean_message

_MIAS_NAME = re.compile(r"^mdb(\d{3})$")


def load_image(path: str | os.PathLike[str]) -> Image:
    """Load a PGM, DICOM, PNG or TIFF file; raises ``ImageReadError`` for anything unreadable."""
    path = Path(path)
    if not path.exists():
        raise ImageReadError(path, "no such file")
    if path.is_dir():
        raise ImageReadError(path, "is a directory, not an image file")
    check_regular_file(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise ImageReadError(path, f"cannot read file ({exc.strerror or exc})") from exc
    if not head:
        raise ImageReadError(path, "empty file")
    fmt = sniff_format(head)
    if fmt is None:
        raise ImageReadError(path, "unknown image format (not PGM, DICOM, PNG or TIFF by content)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # problems become ImageReadError or metadata, never console noise
            image = _read(path, fmt)
    except ImageReadError:
        raise
    except MemoryError as exc:
        raise ImageReadError(path, "not enough memory to decode the image") from exc
    except OSError as exc:
        raise ImageReadError(path, f"cannot read file ({exc.strerror or exc})") from exc
    except RecursionError as exc:
        raise ImageReadError(path, f"{fmt.upper()} file is nested too deeply to read") from exc
    except Exception as exc:  # noqa: BLE001 - a malformed file must never surface as a raw library error
        detail = clean_message(exc)
        raise ImageReadError(path, f"malformed {fmt.upper()} file ({type(exc).__name__}: {detail})") from exc
    image.metadata.setdefault("format", fmt)
    _add_mias_facts(image, path)
    return image


def check_regular_file(path: Path) -> None:
    """ImageReadError unless ``path`` is a regular file: a named pipe, a device or a socket would make a
    read wait for ever (or never end), so only regular files are read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ImageReadError(path, f"cannot read file ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or
                stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")  # fmt: skip
        raise ImageReadError(path, f"is {kind}, not an image file; only regular files are read")


def _read(path: Path, fmt: str) -> Image:
    if fmt == "pgm":
        from mammoviewer.io.pgm import read_pgm

        return read_pgm(path)
    if fmt == "dicom":
        from mammoviewer.io.dicom import read_dicom

        return read_dicom(path)
    from mammoviewer.io.raster import read_raster

    return read_raster(path, fmt)


def _add_mias_facts(image: Image, path: Path) -> None:
    """A 1024x1024 8-bit film named mdbNNN is a mini-MIAS film: 0.2 mm pixels, MLO, odd = right."""
    m = _MIAS_NAME.match(path.stem)
    if not m or image.format == "dicom" or image.bits_stored != 8:
        return
    if image.pixels.shape != (MIAS_SIZE, MIAS_SIZE):
        return
    image.pixel_spacing_mm = (MIAS_PIXEL_MM, MIAS_PIXEL_MM)
    image.laterality = "R" if int(m.group(1)) % 2 else "L"
    image.view = "MLO"
    image.modality = "MG"
    image.metadata["source"] = "mini-MIAS film"

"""PNG and TIFF (8 or 16 bit) through OpenCV."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image
from mammoviewer.io.limits import MAX_IMAGE_PIXELS, check_pixel_count
from mammoviewer.io.native_stderr import captured_stderr
from mammoviewer.messages import clean_message


#: how libpng and libtiff start the lines they print ("libpng warning: iCCP: ...")
_CODEC_PREFIX = re.compile(r"^lib\w+ (?:warning|error):\s*|^\w+Warning:\s*")


def declared_size(data: bytes, fmt: str) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR or a classic TIFF's first IFD, read before any decoding."""
    try:
        if fmt == "png" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if fmt == "tiff" and data[:4] in (b"II*\0", b"MM\0*"):
            order = "<" if data[:2] == b"II" else ">"
            (ifd,) = struct.unpack(order + "I", data[4:8])
            (count,) = struct.unpack(order + "H", data[ifd : ifd + 2])
            size: dict[int, int] = {}
            for i in range(min(count, 512)):
                tag, kind, _, value = struct.unpack(order + "HHI4s", data[ifd + 2 + 12 * i : ifd + 14 + 12 * i])
                if tag in (256, 257):
                    size[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), value[: 2 if kind == 3 else 4])[0]
            if len(size) == 2:
                return size[256], size[257]
    except struct.error:
        return None
    return None


def read_raster(path: str | Path, fmt: str, data: bytes | None = None) -> Image:
    """Read a PNG or TIFF as stored (``IMREAD_UNCHANGED``); colour is converted to gray and noted."""
    import cv2

    path = Path(path)
    if data is None:
        data = path.read_bytes()
    size = declared_size(data, fmt)
    if size is not None:
        check_pixel_count(path, size[0], size[1], f"{fmt.upper()} header")
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # codec complaints become our error
    try:
        with captured_stderr() as codec:  # libpng and libtiff print their complaints themselves
            arr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:
        raise ImageReadError(path, f"{fmt.upper()} could not be decoded ({clean_message(exc)})") from exc
    finally:
        cv2.utils.logging.setLogLevel(level)
    said = codec.lines()
    complaints = [_CODEC_PREFIX.sub("", ln) for ln in ([ln for ln in said if " error" in ln] or said)]
    if arr is None:
        why = clean_message("; ".join(complaints[:2])) if complaints else "truncated or corrupt"
        raise ImageReadError(path, f"{fmt.upper()} could not be decoded ({why})")
    meta_note = clean_message("; ".join(complaints[:3])) if complaints else ""
    if arr.shape[0] * arr.shape[1] > MAX_IMAGE_PIXELS:
        check_pixel_count(path, arr.shape[1], arr.shape[0], f"decoded {fmt.upper()}")
    meta: dict[str, str] = {"decoder_warnings": meta_note} if meta_note else {}
    if arr.ndim == 3:
        channels = arr.shape[2]
        colour = arr[..., :3] if channels >= 3 else arr[..., :1]
        if channels >= 3 and np.array_equal(colour[..., 0], colour[..., 1]) and np.array_equal(colour[..., 0], colour[..., 2]):
            arr = np.ascontiguousarray(colour[..., 0])
            meta["converted"] = f"{channels}-channel image with equal channels read as gray"
        elif channels >= 3:
            arr = cv2.cvtColor(np.ascontiguousarray(colour), cv2.COLOR_BGR2GRAY)
            meta["converted"] = f"colour image ({channels} channels) converted to gray"
        else:
            arr = np.ascontiguousarray(arr[..., 0])
            meta["converted"] = "gray + alpha: alpha dropped"
    if arr.ndim != 2:
        raise ImageReadError(path, f"{fmt.upper()} has unsupported shape {arr.shape}")
    if arr.dtype not in (np.uint8, np.uint16):
        raise ImageReadError(path, f"{fmt.upper()} sample type {arr.dtype} is not supported (8 or 16 bit only)")
    return Image(
        path=str(path),
        format=fmt,
        pixels=arr,
        bits_stored=8 * arr.dtype.itemsize,
        photometric="MONOCHROME2",
        metadata=meta,
    )

"""PNG and TIFF (8 or 16 bit) through OpenCV."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image


def read_raster(path: str | Path, fmt: str, data: bytes | None = None) -> Image:
    """Read a PNG or TIFF as stored (``IMREAD_UNCHANGED``); colour is converted to gray and noted."""
    import cv2

    path = Path(path)
    if data is None:
        data = path.read_bytes()
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # codec complaints become our error
    try:
        arr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error as exc:
        raise ImageReadError(path, f"{fmt.upper()} could not be decoded ({str(exc).strip().splitlines()[-1]})") from exc
    finally:
        cv2.utils.logging.setLogLevel(level)
    if arr is None:
        raise ImageReadError(path, f"{fmt.upper()} could not be decoded (truncated or corrupt)")
    meta: dict[str, str] = {}
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

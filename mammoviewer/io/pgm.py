"""Netpbm gray maps: binary (P5) and ASCII (P2), 8 and 16 bit (big-endian), any maxval."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from mammoviewer.errors import ImageReadError
from mammoviewer.io.image import Image
from mammoviewer.io.limits import check_pixel_count

#: largest width or height accepted; larger headers are treated as corrupt
MAX_SIDE = 1 << 16
_WS = b" \t\r\n\f\v"
#: bytes of an ASCII raster parsed at a time
_ASCII_CHUNK = 1 << 23
_DIGITS_WS = b"0123456789" + _WS


def _header(data: bytes, path: Path) -> tuple[int, int, int, int, list[str]]:
    """Parse ``magic width height maxval``; returns (width, height, maxval, raster offset, comments)."""
    pos, tokens, comments = 2, [], []
    while len(tokens) < 3:
        while pos < len(data) and data[pos] in _WS:
            pos += 1
        if pos >= len(data):
            raise ImageReadError(path, "truncated PGM header")
        if data[pos] == ord("#"):
            end = data.find(b"\n", pos)
            end = len(data) if end < 0 else end
            comments.append(data[pos + 1 : end].decode("latin-1").strip())
            pos = end
            continue
        start = pos
        while pos < len(data) and data[pos] not in _WS and data[pos] != ord("#"):
            pos += 1
        token = data[start:pos]
        if not re.fullmatch(rb"[+-]?\d{1,12}", token):
            raise ImageReadError(path, f"bad PGM header value {token[:20].decode('latin-1')!r}")
        tokens.append(int(token))
    if pos >= len(data) or data[pos] not in _WS:
        raise ImageReadError(path, "truncated PGM header (no whitespace after maxval)")
    width, height, maxval = tokens
    if width <= 0 or height <= 0 or width > MAX_SIDE or height > MAX_SIDE:
        raise ImageReadError(path, f"PGM size {width}x{height} is negative, zero or absurd")
    check_pixel_count(path, width, height, "PGM header")
    if not 0 < maxval < 65536:
        raise ImageReadError(path, f"PGM maxval {maxval} is outside 1..65535")
    return width, height, maxval, pos + 1, comments


def _ascii_raster(data: bytes, count: int, path: Path, start: int = 0) -> np.ndarray:
    """The first ``count`` values of an ASCII raster from ``data[start:]``, parsed a few MB at a time (numpy's C parser) into
    uint32 (values past 2^32 - 1 saturate; the caller refuses anything above maxval).

    Tokens are never made into Python objects: an 8192 x 8192 raster costs about the size of the
    file plus its pixels, not the gigabytes of a list of 67 million byte strings.
    """
    if data.find(b"#", start) >= 0:
        data, start = re.sub(rb"#[^\n]*", b" ", data[start:]), 0
    out = np.empty(count, dtype=np.uint32)
    filled, pos, size = 0, start, len(data)
    while filled < count and pos < size:
        end = min(size, pos + _ASCII_CHUNK)
        while end < size and data[end] not in _WS:  # never cut a number in two
            end += 1
        chunk = data[pos:end]
        pos = end
        if not chunk.strip():  # numpy reads an all-blank string as one 0
            continue
        if chunk.translate(None, _DIGITS_WS):  # more than digits: token by token (what follows may be another image)
            values = _tokens(chunk.split()[: count - filled], path)
        else:
            values = np.fromstring(chunk, dtype=np.int64, sep=" ")
        take = min(len(values), count - filled)
        out[filled : filled + take] = np.minimum(values[:take], 0xFFFFFFFF)
        filled += take
    if filled < count:
        raise ImageReadError(path, f"truncated PGM data: {filled} of {count} values")
    return out


def _tokens(tokens: list[bytes], path: Path) -> np.ndarray:
    """Whole numbers from byte strings (few: one chunk's worth); ImageReadError on anything else."""
    try:
        values = [int(t) for t in tokens if t.isdigit() or (t[:1] == b"-" and t[1:].isdigit())]
    except ValueError:
        values = []
    if len(values) != len(tokens):
        raise ImageReadError(path, "PGM data holds a non-numeric value")
    if any(v < 0 for v in values):
        raise ImageReadError(path, "PGM data holds a negative value")
    return np.array([min(v, 0xFFFFFFFF) for v in values], dtype=np.int64)


def read_pgm(path: str | Path, data: bytes | None = None) -> Image:
    """Read a P2 or P5 file (the first image if several are concatenated).

    Pixels are the stored values (uint8 if maxval < 256, else uint16), row 0 = top.
    """
    path = Path(path)
    if data is None:
        data = path.read_bytes()
    magic = data[:2]
    if magic not in (b"P2", b"P5"):
        raise ImageReadError(path, "not a PGM file (magic is not P2 or P5)")
    width, height, maxval, offset, comments = _header(data, path)
    count = width * height
    dtype = np.dtype(np.uint8) if maxval < 256 else np.dtype(">u2")
    if magic == b"P5":
        need = count * dtype.itemsize
        if len(data) - offset < need:
            raise ImageReadError(path, f"truncated PGM data: {len(data) - offset} of {need} bytes")
        flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    else:
        flat = _ascii_raster(data, count, path, offset)
        if flat.min() < 0:
            raise ImageReadError(path, "PGM data holds a negative value")
    if int(flat.max()) > maxval:
        raise ImageReadError(path, f"PGM value {int(flat.max())} exceeds maxval {maxval}")
    native = np.uint8 if maxval < 256 else np.uint16
    pixels = flat.astype(native).reshape(height, width)
    metadata = {"pgm_variant": "binary (P5)" if magic == b"P5" else "ASCII (P2)", "maxval": str(maxval)}
    if comments:
        metadata["comment"] = "\n".join(comments)
    return Image(
        path=str(path),
        format="pgm",
        pixels=pixels,
        bits_stored=max(1, int(maxval).bit_length()),
        photometric="MONOCHROME2",
        metadata=metadata,
    )

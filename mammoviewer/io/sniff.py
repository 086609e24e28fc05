"""Recognise an image file's format from its first bytes, never from its name."""

from __future__ import annotations

import struct

#: bytes needed to recognise every supported format
SNIFF_BYTES = 132


def sniff_format(head: bytes) -> str | None:
    """``"dicom"``, ``"pgm"``, ``"png"``, ``"tiff"`` or None for the leading bytes of a file."""
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if head[:2] in (b"P2", b"P5") and len(head) > 2 and head[2:3] in b" \t\r\n\f\v#":
        return "pgm"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if _looks_like_bare_dataset(head):
        return "dicom"
    return None


def _looks_like_bare_dataset(head: bytes) -> bool:
    """A DICOM dataset with no preamble: it starts with a group 0002 or 0008 element.

    Accepts explicit VR (two upper-case letters after the tag) or implicit VR
    (a 4-byte little-endian length that fits in the file's first bytes' sense).
    """
    if len(head) < 8:
        return False
    group, _element = struct.unpack("<HH", head[:4])
    if group not in (0x0002, 0x0008):
        return False
    vr = head[4:6]
    if vr.isalpha() and vr.isupper():
        return True
    (length,) = struct.unpack("<I", head[4:8])
    return length < 1 << 16

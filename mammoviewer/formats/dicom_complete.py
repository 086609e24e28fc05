"""Is a DICOM file whole? A walk over its element lengths and delimiters, without decoding values.

pydicom reads a file cut midway without complaint when the cut falls inside a sequence: the
sequence just ends early, and a report read from it silently loses findings. :func:`missing_bytes`
finds such cuts: every defined length must fit in the file, and every sequence or item of
undefined length must reach its delimiter.
"""

from __future__ import annotations

import struct

_LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV"}
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_UNDEFINED = 0xFFFFFFFF
_IMPLICIT_LE = "1.2.840.10008.1.2"
_BIG_ENDIAN = "1.2.840.10008.1.2.2"
_DEFLATED = ("1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.4.95")
#: deeper nesting than this is refused rather than followed
MAX_DEPTH = 64


class Truncated(ValueError):
    """The file ends before an element, item or sequence it declares."""


class _Walker:
    def __init__(self, data: bytes, explicit: bool, little: bool) -> None:
        self.data, self.explicit, self.end = data, explicit, "<" if little else ">"

    def header(self, pos: int, stop: int, explicit: bool, end: str) -> tuple[int, bytes | None, int, int]:
        """``(tag, VR, value length, value offset)`` of the element at ``pos``."""
        if pos + 8 > stop:
            raise Truncated(f"an element header at byte {pos} is cut off")
        group, elem = struct.unpack_from(f"{end}HH", self.data, pos)
        tag = (group << 16) | elem
        if tag in (_ITEM, _ITEM_END, _SEQ_END) or not explicit:
            return tag, None, struct.unpack_from(f"{end}I", self.data, pos + 4)[0], pos + 8
        vr = self.data[pos + 4 : pos + 6]
        if vr in _LONG_VRS:
            if pos + 12 > stop:
                raise Truncated(f"an element header at byte {pos} is cut off")
            return tag, vr, struct.unpack_from(f"{end}I", self.data, pos + 8)[0], pos + 12
        return tag, vr, struct.unpack_from(f"{end}H", self.data, pos + 6)[0], pos + 8

    def elements(self, pos: int, stop: int, depth: int, explicit: bool, end: str, until_delimiter: bool) -> int:
        """Walk elements from ``pos``; returns where they end (after the item delimiter if asked for)."""
        if depth > MAX_DEPTH:
            raise Truncated(f"sequences nested more than {MAX_DEPTH} deep")
        while pos < stop:
            tag, vr, length, pos = self.header(pos, stop, explicit, end)
            if tag == _ITEM_END:
                if not until_delimiter:
                    raise Truncated(f"an item delimiter at byte {pos - 8} closes no item")
                return pos
            if length != _UNDEFINED:
                if pos + length > stop:
                    raise Truncated(f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}) needs {length} bytes at "
                                    f"byte {pos}, the file has {stop - pos}")  # fmt: skip
                pos += length
            else:  # a sequence (or encapsulated pixel data) of undefined length
                pos = self.items(pos, stop, depth + 1, explicit and vr != b"UN", end)
        if until_delimiter:
            raise Truncated("the file ends inside an item (no item delimiter)")
        return pos

    def items(self, pos: int, stop: int, depth: int, explicit: bool, end: str) -> int:
        """Walk the items of an undefined-length sequence; returns the byte after its delimiter."""
        while True:
            tag, _vr, length, pos = self.header(pos, stop, explicit, end)
            if tag == _SEQ_END:
                return pos
            if tag != _ITEM:
                raise Truncated(f"a sequence holds ({tag >> 16:04X},{tag & 0xFFFF:04X}) where an item belongs")
            if length == _UNDEFINED:
                pos = self.elements(pos, stop, depth, explicit, end, until_delimiter=True)
            elif pos + length > stop:
                raise Truncated(f"an item needs {length} bytes at byte {pos}, the file has {stop - pos}")
            else:
                pos += length


def missing_bytes(data: bytes) -> str | None:
    """Why the DICOM file ``data`` is incomplete, or None if every element, item and sequence is whole.

    Deflated files (their dataset is compressed) are not walked.
    """
    pos = 132 if data[128:132] == b"DICM" else 0
    walker = _Walker(data, explicit=True, little=True)
    syntax = _IMPLICIT_LE
    try:
        while pos + 4 <= len(data) and struct.unpack_from("<H", data, pos)[0] == 0x0002:  # file meta, explicit LE
            tag, _vr, length, value = walker.header(pos, len(data), True, "<")
            if length == _UNDEFINED or value + length > len(data):
                raise Truncated("the file meta information is cut off")
            if tag == 0x00020010:
                syntax = data[value : value + length].rstrip(b"\0 ").decode("ascii", "replace")
            pos = value + length
        if syntax in _DEFLATED:
            return None
        explicit, end = syntax != _IMPLICIT_LE, ">" if syntax == _BIG_ENDIAN else "<"
        walker.elements(pos, len(data), 0, explicit, end, until_delimiter=False)
    except Truncated as exc:
        return str(exc)
    except struct.error as exc:
        return f"a length runs past the end of the file ({exc})"
    return None

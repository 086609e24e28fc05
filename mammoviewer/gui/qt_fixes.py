"""Work-arounds for defects of the installed Qt binding, applied when this module is first
imported (every Qt module of ``mammoviewer.gui`` imports it before PySide6).

PySide6 6.12.0 on CPython 3.11 gives back ``None`` from every void method (``setText``,
``processEvents``, ...) and ``True`` from ``Signal.emit`` without taking a reference
(as if they were immortal objects, which they are only from CPython 3.12). Each call then
drops one reference, and after a few thousand calls the interpreter aborts with
"none_dealloc: deallocating None" (or "bool_dealloc"). We detect the defect with a probe
and, only if present, give those singletons a reference count that can never reach zero,
which is what CPython 3.12 does for them anyway.
"""

from __future__ import annotations

import ctypes
import sys

#: added to the singletons' reference counts (2**40 calls are never reached)
_PIN = 1 << 40
_applied = False


def binding_drops_references() -> bool:
    """True if a void Qt call or a signal emit loses a reference to None or True."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(16):
        probe.setObjectName("probe")
        probe.ping.emit()
    return sys.getrefcount(None) < none_before - 8 or sys.getrefcount(True) < true_before - 8


def apply() -> bool:
    """Install the work-around if the binding needs it; True if it is in place."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not binding_drops_references():
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _PIN
    _applied = True
    return True


apply()

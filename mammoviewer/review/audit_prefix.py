"""The audit-log prefix of undo and redo writes, shared by the documents that the command stack drives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class AuditPrefixed:
    """Mixin: ``with doc.acting_as("undo"):`` prefixes the action of every write inside in the audit log;
    the document prepends :attr:`_prefix` to the actions it writes."""

    _prefix: str = ""

    @contextmanager
    def acting_as(self, prefix: str) -> Iterator[None]:
        """Prefix the audit action of every write inside (``"undo"``/``"redo"``)."""
        old, self._prefix = self._prefix, f"{prefix} "
        try:
            yield
        finally:
            self._prefix = old

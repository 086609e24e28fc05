"""Open an association with a PACS node, turning every way it can fail into one PacsError line."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from mammoviewer.errors import PacsError
from mammoviewer.pacs.nodes import PacsNode

logging.getLogger("pynetdicom").addHandler(logging.NullHandler())  # errors reach users as PacsError only


def _probe(node: PacsNode) -> None:
    """Fail early, with the real reason, if nothing accepts TCP connections at the node's address."""
    try:
        with socket.create_connection((node.host, int(node.port)), timeout=node.acse_timeout_s):
            pass
    except ConnectionRefusedError:
        raise PacsError(f"{node.label}: nothing is listening there (connection refused)") from None
    except socket.timeout:
        raise PacsError(f"{node.label}: no answer to connect within {node.acse_timeout_s:g} s "
                        "(the ACSE timeout in the node's settings)") from None  # fmt: skip
    except OSError as exc:
        raise PacsError(f"{node.label}: cannot connect ({exc.strerror or exc})") from exc


def new_ae(node: PacsNode) -> Any:
    """A pynetdicom AE calling as the node's calling AE title, with the node's time limits."""
    from pynetdicom import AE

    ae = AE(ae_title=node.calling_aet)
    ae.acse_timeout = node.acse_timeout_s
    ae.dimse_timeout = node.dimse_timeout_s
    ae.network_timeout = node.network_timeout_s
    ae.connection_timeout = node.acse_timeout_s
    return ae


@contextmanager
def associate(node: PacsNode, ae: Any, **kwargs: Any) -> Iterator[Any]:
    """An established association with ``node`` (released afterwards), or PacsError saying why not."""
    _probe(node)
    try:
        assoc = ae.associate(node.host, int(node.port), ae_title=node.called_aet, **kwargs)
    except (OSError, RuntimeError, ValueError) as exc:
        raise PacsError(f"{node.label}: cannot open an association ({exc})") from exc
    if assoc.is_rejected:
        raise PacsError(
            f"{node.label}: association rejected (is {node.called_aet!r} the node's AE title, and is "
            f"{node.calling_aet!r} allowed to call it?)"
        )
    if not assoc.is_established:
        raise PacsError(f"{node.label}: no answer to the association request within {node.acse_timeout_s:g} s "
                        "(the ACSE timeout in the node's settings)")  # fmt: skip
    try:
        yield assoc
    finally:
        if assoc.is_established:
            assoc.release()
        ae.shutdown()


def lost(node: PacsNode, since: float, doing: str) -> PacsError:
    """The error for an answer that never came: a timeout if we waited the DIMSE limit, else a lost link."""
    if time.monotonic() - since >= 0.9 * node.dimse_timeout_s:
        return PacsError(f"{node.label}: no answer while {doing} within {node.dimse_timeout_s:g} s "
                         "(the DIMSE timeout in the node's settings)")  # fmt: skip
    return PacsError(f"{node.label}: connection lost while {doing}")

"""A scripted PACS on loopback (pynetdicom): C-FIND answers, C-GET sub-operations and C-STORE as a
test tells it to, so hostile answers can be played to the client without Orthanc.

``answers`` is the list of C-FIND identifiers (or ``(status, identifier)`` pairs) the node yields;
``datasets`` the images a C-GET sends; ``stall_s`` makes a C-GET wait after its first image (for a
retrieve killed midway); ``stored`` collects the SOP Instance UIDs of what C-STORE received.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from mammoviewer.pacs import PacsNode

AET = "SCRIPTED"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Script:
    """What the node does; change it between calls."""

    answers: list[Any] = field(default_factory=list)
    datasets: list[Any] = field(default_factory=list)
    stall_s: float = 0.0
    stored: list[str] = field(default_factory=list)

    def on_find(self, event: Any) -> Iterator[Any]:
        for answer in self.answers:
            yield answer if isinstance(answer, tuple) else (0xFF00, answer)

    def on_get(self, event: Any) -> Iterator[Any]:
        yield len(self.datasets)
        for i, ds in enumerate(self.datasets):
            yield 0xFF00, ds
            if i == 0 and self.stall_s:
                time.sleep(self.stall_s)

    def on_store(self, event: Any) -> int:
        self.stored.append(str(event.request.AffectedSOPInstanceUID))
        return 0x0000


def node(port: int) -> PacsNode:
    return PacsNode(host="127.0.0.1", port=port, called_aet=AET, calling_aet="MVTEST", acse_timeout_s=5,
                    dimse_timeout_s=10, network_timeout_s=10)  # fmt: skip


@contextmanager
def scripted_node(script: Script, port: int | None = None) -> Iterator[PacsNode]:
    """A node on loopback following ``script`` while the block runs."""
    from pydicom.uid import AllTransferSyntaxes
    from pynetdicom import AE, AllStoragePresentationContexts, evt
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind as FIND
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet as GET

    port = port or free_port()
    ae = AE(ae_title=AET)
    ae.maximum_associations = 64
    ae.acse_timeout = ae.network_timeout = 2  # the client probes with a bare TCP connect first: drop it soon
    ae.add_supported_context(FIND)
    ae.add_supported_context(GET)
    for cx in AllStoragePresentationContexts:
        ae.add_supported_context(cx.abstract_syntax, AllTransferSyntaxes, scu_role=False, scp_role=True)
    handlers = [(evt.EVT_C_FIND, script.on_find), (evt.EVT_C_GET, script.on_get),
                (evt.EVT_C_STORE, script.on_store)]  # fmt: skip
    server = ae.start_server(("127.0.0.1", port), block=False, evt_handlers=handlers)
    try:
        yield node(port)
    finally:
        server.shutdown()

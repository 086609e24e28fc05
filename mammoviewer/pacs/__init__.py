"""Talk to a PACS over DICOM networking (DIMSE, with pynetdicom): find, get (C-GET) and send.

Qt-free. Every failure is a :class:`~mammoviewer.errors.PacsError` whose one-line message
names the node and the problem. MammoViewer never listens on a port: studies are retrieved
with C-GET over the association it opens itself, so no storage SCP is started.
"""

from __future__ import annotations

from mammoviewer.pacs.client import Study, find_studies, get_study, send_files
from mammoviewer.pacs.nodes import PacsNode, load_nodes, save_nodes

__all__ = ["PacsNode", "Study", "find_studies", "get_study", "load_nodes", "save_nodes", "send_files"]

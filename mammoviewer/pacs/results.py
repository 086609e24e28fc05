"""Send a review store's results to a PACS: its CAD SR and GSPS objects, built and stored in one go."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mammoviewer.errors import PacsError
from mammoviewer.pacs.client import send_files
from mammoviewer.pacs.nodes import PacsNode


@dataclass
class ResultsSent:
    """What went to the PACS, and one line for each image or file that did not."""

    sent: int = 0
    findings: int = 0
    lines: list[str] = field(default_factory=list)


def send_results(store_path: str | Path, node: PacsNode, formats: Sequence[str] = ("cad-sr", "gsps"),
                 include_pending: bool = False, reviewed_only: bool = False,
                 progress: Callable[[object], None] | None = None,
                 cancel: threading.Event | None = None) -> ResultsSent:  # fmt: skip
    """Export ``formats`` for the DICOM images of the store and C-STORE them to ``node``.

    The objects are written to a temporary folder, sent over one association, then deleted.
    Raises PacsError if there is nothing to send or the node cannot be reached.
    """
    from mammoviewer.formats.dicom_out import export_dicom
    from mammoviewer.review.store import ReviewStore

    out = ResultsSent()
    with tempfile.TemporaryDirectory(prefix="mammoviewer-results-") as tmp:
        paths: list[Path] = []
        with ReviewStore.open(store_path, create=False) as store:
            for fmt in formats:
                if cancel is not None and cancel.is_set():
                    raise PacsError("sending results cancelled")
                if progress is not None:
                    progress(f"writing {fmt}")
                s = export_dicom(store, fmt, Path(tmp) / fmt, include_pending=include_pending,
                                 reviewed_only=reviewed_only)  # fmt: skip
                paths += s.paths
                out.findings += s.findings
                out.lines += s.failed
        if not paths:
            which = "reviewed DICOM film" if reviewed_only else "DICOM film"
            raise PacsError(f"nothing to send to {node.label}: no {which} with results in {store_path}")
        if progress is not None:
            progress(f"sending {len(paths)} objects to {node.label}")
        result = send_files(node, paths)
        out.sent = len(result.sent)
        out.lines += result.failed
    return out

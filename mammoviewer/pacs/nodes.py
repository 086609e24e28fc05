"""Remote PACS nodes: address, AE titles and time limits, kept in the user's settings file."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from mammoviewer.errors import PacsError

DEFAULT_CALLING_AET = "MAMMOVIEWER"
_AET = re.compile(r"^[\x20-\x5b\x5d-\x7e]{1,16}$")  # 16 printable characters, no backslash


def check_aet(aet: str, what: str = "AE title") -> str:
    """``aet`` if it is a valid DICOM AE title, else PacsError."""
    if not _AET.match(aet) or not aet.strip():
        raise PacsError(f"{what} {aet!r} is not a valid AE title (1-16 printable characters, no backslash)")
    return aet


@dataclass(frozen=True, slots=True)
class PacsNode:
    """One remote DICOM node. Timeouts are in seconds: connecting and association (``acse``),
    each answer (``dimse``) and silence on the connection (``network``)."""

    host: str
    port: int
    called_aet: str
    calling_aet: str = DEFAULT_CALLING_AET
    name: str = ""
    acse_timeout_s: float = 10.0
    dimse_timeout_s: float = 30.0
    network_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if not self.host:
            raise PacsError("PACS node needs a host")
        if not 0 < int(self.port) < 65536:
            raise PacsError(f"PACS port {self.port} is not between 1 and 65535")
        check_aet(self.called_aet, "called AE title")
        check_aet(self.calling_aet, "calling AE title")
        for f in ("acse_timeout_s", "dimse_timeout_s", "network_timeout_s"):
            if not float(getattr(self, f)) > 0:
                raise PacsError(f"PACS node {self.label}: {f} must be a positive number of seconds")

    @property
    def label(self) -> str:
        """E.g. ``ORTHANC@127.0.0.1:4242``."""
        return f"{self.called_aet}@{self.host}:{self.port}"

    def with_timeout(self, seconds: float) -> PacsNode:
        """A copy whose three time limits are ``seconds``."""
        from dataclasses import replace

        return replace(self, acse_timeout_s=seconds, dimse_timeout_s=seconds, network_timeout_s=seconds)


def settings_path() -> Path:
    """The nodes file: ``$MAMMOVIEWER_PACS_NODES``, else ``~/.config/mammoviewer/pacs_nodes.json``."""
    if os.environ.get("MAMMOVIEWER_PACS_NODES"):
        return Path(os.environ["MAMMOVIEWER_PACS_NODES"]).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "mammoviewer" / "pacs_nodes.json"


def load_nodes(path: str | Path | None = None) -> list[PacsNode]:
    """The saved nodes (none if the file does not exist); PacsError naming the file if it is bad."""
    path = Path(path) if path else settings_path()
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(PacsNode)}
        return [PacsNode(**{k: v for k, v in item.items() if k in known}) for item in data["nodes"]]
    except OSError as exc:
        raise PacsError(f"{path}: cannot read PACS settings ({exc.strerror or exc})") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PacsError(f"{path}: not a PACS settings file ({type(exc).__name__}: {exc})") from exc
    except PacsError as exc:
        raise PacsError(f"{path}: {exc}") from exc


def save_nodes(nodes: list[PacsNode], path: str | Path | None = None) -> Path:
    """Write ``nodes`` to the settings file (atomically); returns its path."""
    path = Path(path) if path else settings_path()
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"nodes": [asdict(n) for n in nodes]}, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise PacsError(f"{path}: cannot write PACS settings ({exc.strerror or exc})") from exc
    return path


def find_node(name: str, path: str | Path | None = None) -> PacsNode:
    """The saved node called ``name`` (or whose called AE title is ``name``)."""
    nodes = load_nodes(path)
    for n in nodes:
        if name in (n.name, n.called_aet):
            return n
    names = ", ".join(n.name or n.called_aet for n in nodes) or "none saved"
    raise PacsError(f"no PACS node {name!r} in {Path(path) if path else settings_path()} ({names})")

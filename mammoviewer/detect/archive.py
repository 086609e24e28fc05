"""A ``.keras`` file is a zip archive: tell a broken or truncated one apart from a missing one."""

from __future__ import annotations

import zipfile
from pathlib import Path

from mammoviewer.errors import DetectorError


def check_archive(path: Path, what: str = "model") -> None:
    """DetectorError naming ``path`` unless it is a complete zip archive holding a Keras model;
    ``what`` names the model in the message ("model", "case classifier")."""
    head = f"{path}: cannot load the {what}:"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            bad = archive.testzip()
    except zipfile.BadZipFile as exc:
        raise DetectorError(f"{head} the file is broken or truncated (not a complete .keras archive: {exc}); "
                            "copy or train it again") from exc
    except OSError as exc:
        raise DetectorError(f"{head} the file cannot be read ({exc.strerror or exc})") from exc
    except (EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise DetectorError(f"{head} the file is broken or truncated ({exc}); copy or train it again") from exc
    if bad is not None:
        raise DetectorError(f"{head} the file is broken (member {bad!r} fails its checksum); copy or train it again")
    if "config.json" not in names:
        raise DetectorError(f"{head} not a Keras model archive (no config.json inside)")

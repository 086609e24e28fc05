"""Library error text made fit for a user's one line: no source paths, no codec chatter, no newlines."""

from __future__ import annotations

import re

#: ``OpenCV(4.10.0) /io/opencv/modules/core/src/alloc.cpp:73: error: (-4:Insufficient memory) Failed ... in function 'f'``
_OPENCV = re.compile(r"OpenCV\([^)]*\)\s+\S+:\d+:\s*error:\s*\((-?\d+):([^)]*)\)\s*(.*?)(?:\s+in function '[^']*')?\s*$",
                     re.S)
#: a source location such as ``/io/opencv/modules/imgproc/src/resize.cpp:4155:`` or ``file.py:12:``
_SOURCE = re.compile(r"(?:[\w.-]*/)+[\w.-]+\.(?:c|cc|cpp|cxx|h|hpp|py|pyx):\d+:?\s*")
#: lines that codecs print on their own (``libpng warning: ...``, numpy's ``RuntimeWarning: ...``)
_CHATTER = re.compile(r"^\s*(?:lib\w+ (?:warning|error)|\w*Warning)\b.*$", re.M | re.I)


def clean_message(error: BaseException | str, limit: int = 200) -> str:
    """One short line for ``error``: OpenCV's "(-4:Insufficient memory) Failed to allocate ..." becomes
    "insufficient memory: failed to allocate ...", source paths and library warning lines are dropped."""
    text = str(error)
    m = _OPENCV.search(text)
    if m:
        text = f"{m.group(2).strip()}: {m.group(3).strip()}" if m.group(3).strip() else m.group(2).strip()
    text = _CHATTER.sub(" ", text)
    text = _SOURCE.sub("", text)
    text = " ".join(text.split())
    if not text:
        text = type(error).__name__ if isinstance(error, BaseException) else "unknown error"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def warning_line(message: Warning | str, category: type[Warning]) -> str:
    """A warning as one line for stderr: ``mammoviewer: warning: RuntimeWarning: ...`` (no source line)."""
    return f"mammoviewer: warning: {category.__name__}: {clean_message(message)}"

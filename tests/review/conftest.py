from __future__ import annotations

from pathlib import Path

import pytest

from mammoviewer.review import ImageRecord, ReviewStore

KEY = "/films/mdb001.png"


@pytest.fixture
def store(tmp_path: Path):
    s = ReviewStore.open(tmp_path / "review.mvstore")
    s.add_image(ImageRecord(key=KEY, width=1024, height=1024))
    yield s
    s.close()

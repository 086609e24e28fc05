"""The hanging view: a film that cannot be shown leaves its pane saying why; the other panes still show."""

from __future__ import annotations

import numpy as np

from mammoviewer.io import Image
from mammoviewer.io.image import VoiLut
from mammoviewer.studies import Film, Study, hang


def _image(path: str, voi_luts=()) -> Image:
    return Image(path=path, format="dicom", pixels=np.arange(64 * 64, dtype=np.uint16).reshape(64, 64),
                 bits_stored=12, voi_luts=voi_luts)


def test_a_pane_that_cannot_show_its_film_says_why(qtbot):
    from mammoviewer.gui.viewer.hanging_view import HangingView

    view = HangingView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    films = tuple(Film(path=f"/x/{s}CC.dcm", patient="P", study="S", laterality=s, view="CC") for s in "RL")
    broken = _image("/x/LCC.dcm", (VoiLut(0, 0, np.zeros(4, np.uint16)),))  # a LUT of 0 bits: display_lut raises
    view.set_enhanced(True)
    view.set_hanging(hang(Study("P", "S", None, films), "2up"), {"/x/RCC.dcm": _image("/x/RCC.dcm"),
                                                                 "/x/LCC.dcm": broken})
    right, left = view.shown_panes()
    assert right.image is not None and left.image is None
    assert list(view.pane_errors) == [1]
    assert view.pane_errors[1].startswith("LCC.dcm cannot be shown: VOI LUT Descriptor (0028,3002) gives 0 bits")
    assert left.placeholder.text() == f"LCC: {view.pane_errors[1]}"
    view.grab()  # both panes paint
    view.set_hanging(hang(Study("P", "S", None, films[:1]), "1up"), {"/x/RCC.dcm": _image("/x/RCC.dcm")})
    assert view.pane_errors == {}  # a new hanging starts clean

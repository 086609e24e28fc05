"""A MIAS Info.txt row whose location is not a finite point with a positive radius is refused in one line."""

from __future__ import annotations

import pytest

from mammoviewer.errors import ImageReadError
from mammoviewer.io.mias import read_info


@pytest.mark.parametrize("x, y, radius, field", [
    ("535", "425", "0", "radius '0'"), ("535", "425", "-5", "radius '-5'"),
    ("535", "425", "nan", "radius 'nan'"), ("535", "425", "inf", "radius 'inf'"),
    ("nan", "425", "5", "x 'nan'"), ("535", "-inf", "5", "y '-inf'"),
])
def test_bad_location_names_the_line_and_the_value(tmp_path, x, y, radius, field):
    info = tmp_path / "Info.txt"
    info.write_text(f"preamble\r\nmdb001 G CIRC B 535 425 197\r\nmdb002 G CIRC B {x} {y} {radius}\r\n")
    with pytest.raises(ImageReadError, match=rf"Info\.txt: line 3: {field} is not a (positive|finite) number"):
        read_info(info)


def test_unlocated_rows_still_read(tmp_path):
    info = tmp_path / "Info.txt"
    info.write_text("mdb059 F CIRC B *NOTE 3*\r\nmdb001 G CIRC B 535 425 197\r\n")
    rows = read_info(info)
    assert not rows[0].located and rows[1].box() == (338.0, 402.0, 732.0, 796.0)

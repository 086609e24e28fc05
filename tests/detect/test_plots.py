import cv2
import numpy as np

from mammoviewer.detect.plots import draw_curves


def test_curves_are_drawn_where_they_belong(tmp_path):
    path = draw_curves({"diag": (np.array([0.0, 1.0]), np.array([0.0, 1.0]))}, tmp_path / "c.png", "t", "x", "y",
                       (0.0, 1.0), size=(400, 300))
    img = cv2.imread(str(path))
    assert img.shape == (300, 400, 3)
    # the curve's colour near the plot's bottom-left and top-right corners (left 60, top 40, right 20, bottom 50)
    blue = (img[..., 0] > 150) & (img[..., 2] < 100)
    assert blue[245:252, 60:68].any() and blue[38:46, 372:381].any()
    assert not blue[38:46, 60:68].any()  # nothing at the top-left

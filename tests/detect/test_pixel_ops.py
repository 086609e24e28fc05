import cv2
import numpy as np

from mammoviewer.detect.pixel_ops import box_sums, disc


def test_disc_is_odd_round_and_at_least_three_pixels():
    assert disc(0.4).shape == (3, 3)
    k = disc(8.2)
    assert k.shape == (9, 9) and k[4].all() and k[:, 4].all() and not k[0, 0]


def test_box_sums_match_the_pixels_and_clip_to_the_image():
    img = np.arange(20 * 30, dtype=np.float64).reshape(20, 30)
    integral = cv2.integral(img)
    s, n = box_sums(integral, np.array([2.0, -5.0, 28.0]), np.array([3.0, -5.0, 18.0]),
                    np.array([7.0, 4.0, 40.0]), np.array([9.0, 2.0, 25.0]))
    assert s.tolist() == [img[3:9, 2:7].sum(), img[0:2, 0:4].sum(), img[18:20, 28:30].sum()]
    assert n.tolist() == [30.0, 8.0, 4.0]
    s, n = box_sums(integral, 10.0, 10.0, 5.0, 12.0)  # an empty box counts no pixels
    assert n == 0.0

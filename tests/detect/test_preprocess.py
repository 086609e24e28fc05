"""Geometry of the model input: spacing-aware resampling and exact mapping back to the opened image."""

import numpy as np
import pytest

from mammoviewer.detect import preprocess as pp
from mammoviewer.geometry.mias import ASSUMED_FILM_HEIGHT_MM
from mammoviewer.io.image import Image


def _disk_image(size: int, spacing: float | None, centre_mm=(120.0, 60.0), radius_mm=16.0, photometric="MONOCHROME2"):
    """A dark film with a bright disk; centre given as (row, column) in mm."""
    yy, xx = np.mgrid[0:size, 0:size]
    s = spacing or ASSUMED_FILM_HEIGHT_MM / size
    disk = (yy + 0.5 - centre_mm[0] / s) ** 2 + (xx + 0.5 - centre_mm[1] / s) ** 2 <= (radius_mm / s) ** 2
    px = np.where(disk, 3000, 800).astype(np.uint16)
    px[: size // 8, : size // 8] = 0  # some air
    if photometric == "MONOCHROME1":
        px = (4095 - px).astype(np.uint16)
    sp = (spacing, spacing) if spacing else None
    return Image(path="disk", format="dicom", pixels=px, bits_stored=12, photometric=photometric,
                 pixel_spacing_mm=sp)


def _bright_box(arr: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(arr > 0.5 * arr.max())
    return np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], float)


@pytest.mark.parametrize("size,spacing", [(2048, 0.1), (1024, 0.2), (512, 0.4), (1024, None)])
def test_disk_lands_at_the_same_millimetres_and_maps_back(size, spacing):
    image = _disk_image(size, spacing)
    mi = pp.prepare(image, 0.4, multiple=64)
    assert mi.array.shape == (512, 512) and mi.array.dtype == np.float32
    assert mi.spacing_assumed == (spacing is None)
    model_box = _bright_box(mi.array)
    # disk centre at (row 120 mm, col 60 mm), radius 16 mm -> 0.4 mm pixels: x 150, y 300, r 40
    np.testing.assert_allclose(model_box, [[110, 260, 190, 340]], atol=1)
    back = pp.to_original_frame(model_box, mi)
    s = spacing or ASSUMED_FILM_HEIGHT_MM / size
    np.testing.assert_allclose(back, np.array([[44, 104, 76, 136]]) / s, atol=1 * 0.4 / s)
    np.testing.assert_allclose(pp.to_model_frame(back, mi), model_box)


def test_padding_to_the_largest_stride_keeps_the_origin():
    image = _disk_image(1000, 0.2)  # 500 px at 0.4 mm -> padded to 512
    mi = pp.prepare(image, 0.4, multiple=64)
    assert mi.array.shape == (512, 512)
    assert mi.scale_x == pytest.approx(0.5) and np.all(mi.array[500:, :] == 0)
    box = pp.to_original_frame(np.array([[490.0, 490, 530, 530]]), mi)
    np.testing.assert_allclose(box, [[980, 980, 1000, 1000]])  # clipped to the opened image


def test_monochrome1_is_inverted_like_the_viewer():
    a = pp.prepare(_disk_image(512, 0.4), 0.4).array
    b = pp.prepare(_disk_image(512, 0.4, photometric="MONOCHROME1"), 0.4).array
    np.testing.assert_allclose(_bright_box(a), _bright_box(b))
    assert a[300, 150] > 0.9 and b[300, 150] > 0.9


def _speck_film(spacing: float) -> Image:
    """Grey tissue with one bright 0.2 mm speck (a microcalcification) at (60 mm, 40 mm)."""
    size = int(round(102.4 / spacing))
    px = np.full((size, size), 1500, np.uint16)
    r, c = int(60 / spacing), int(40 / spacing)
    k = max(1, int(round(0.2 / spacing)))
    px[r:r + k, c:c + k] = 4000
    return Image(path="speck", format="dicom", pixels=px, bits_stored=12, pixel_spacing_mm=(spacing, spacing))


@pytest.mark.parametrize("spacing", [0.2, 0.1])
def test_tophat_plane_keeps_a_speck_the_film_plane_washes_out(spacing):
    mi = pp.prepare(_speck_film(spacing), 0.4, multiple=64, inputs=("film", "tophat"))
    film, spots = mi.stack[..., 0], mi.stack[..., 1]
    assert mi.stack.shape == (*mi.array.shape, 2) and np.array_equal(film, mi.array)
    r, c = np.unravel_index(np.argmax(spots), spots.shape)
    assert abs(r - 60 / 0.4) <= 1 and abs(c - 40 / 0.4) <= 1  # found where it is, in model pixels
    assert spots[r, c] > 0.5 and np.percentile(spots, 99) < 0.05  # one strong response, flat elsewhere
    assert film[r, c] - np.median(film) < 0.5 * spots[r, c]  # the area resample dims it in the film plane


def test_film_only_models_get_one_plane_and_unknown_planes_are_refused():
    mi = pp.prepare(_speck_film(0.2), 0.4, multiple=64)
    assert mi.planes is None and mi.stack.shape == (*mi.array.shape, 1)
    with pytest.raises(ValueError, match="not understood"):
        pp.prepare(_speck_film(0.2), 0.4, inputs=("film", "edges"))
    with pytest.raises(ValueError, match="film first"):
        pp.prepare(_speck_film(0.2), 0.4, inputs=("tophat",))

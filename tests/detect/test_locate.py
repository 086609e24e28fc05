"""Click-to-locate with the REAL bundled model on a real MIAS film, and its model-free parts on drawn images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mammoviewer.detect.click_regions import blob_box, speck_box
from mammoviewer.detect.locate import Candidates, LocateConfig, click_prior, rank
from mammoviewer.errors import DetectorError
from mammoviewer.io.image import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "mdb023.pgm"
MODEL = ROOT / "models" / "idbll-light" / "model.keras"
# mdb023: malignant CIRC at MIAS x=538, y=681 (from the bottom), r=29 -> centre column 538, row 343
CX, CY, R = 538.0, 1024 - 681.0, 29.0


def _hits(box) -> bool:
    px, py = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return (px - CX) ** 2 + (py - CY) ** 2 <= R * R


@pytest.fixture(scope="module")
def locator():
    if not (SAMPLE.is_file() and MODEL.is_file()):
        pytest.skip("bundled model or mdb023.pgm not present")
    from mammoviewer.detect import Detector
    from mammoviewer.detect.locate import Locator

    return Locator(Detector.load(device="cpu"))


@pytest.fixture(scope="module")
def film():
    from mammoviewer.io import load_image

    return load_image(SAMPLE)


@pytest.mark.parametrize("dx, dy", [(0.0, 0.0), (20.0, 0.0), (-14.0, 14.0)])  # centre, 4 mm off (0.2 mm pixels)
def test_click_on_the_lesion_proposes_it_first(locator, film, dx, dy):
    x, y = CX + dx, CY + dy
    proposals = locator.locate(film, x, y)
    assert 1 <= len(proposals) <= LocateConfig().max_proposals
    assert _hits(proposals[0].box)
    scores = [p.score for p in proposals]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    first = proposals[0].box
    assert first[0] <= x <= first[2] and first[1] <= y <= first[3]  # the box holds the click
    assert all(p.label in ("benign", "malignant") for p in proposals)
    assert all(0 <= b[0] < b[2] <= 1024 and 0 <= b[1] < b[3] <= 1024 for b in (p.box for p in proposals))


def test_a_click_elsewhere_proposes_something_else(locator, film):
    far = locator.locate(film, 300.0, 700.0)
    assert far and not _hits(far[0].box)
    assert far[0].box[0] <= 300 <= far[0].box[2]


def test_click_outside_the_image_is_refused(locator, film):
    with pytest.raises(DetectorError, match=r"mdb023.pgm: click \(1024, 5\) is outside the 1024 x 1024 image"):
        locator.locate(film, 1024.0, 5.0)


def test_the_rendering_is_kept_for_the_next_click_on_the_same_image(locator, film):
    locator.locate(film, CX, CY)
    first = locator.rendered(film)
    locator.locate(film, CX + 5, CY)
    assert locator.rendered(film) is first


def test_click_prior_prefers_centred_boxes_that_hold_the_click():
    boxes = np.array([[90, 90, 110, 110], [95, 90, 135, 110], [120, 120, 140, 140]], float)
    prior = click_prior(boxes, 100.0, 100.0, (0.2, 0.2), sigma_mm=6.0, outside=0.05)
    assert prior[0] == pytest.approx(1.0)
    assert prior[0] > prior[1] > prior[2]
    assert prior[2] == pytest.approx(0.05 * np.exp(-1.0))  # centre (130, 130): 6 mm each way = one sigma^2, outside


def test_rank_dedupes_and_puts_the_speck_cluster_first_when_it_has_specks():
    boxes = np.array([[80, 80, 120, 120], [81, 81, 121, 121], [60, 60, 140, 140]], float)
    c = Candidates(100.0, 100.0, (0.2, 0.2), (200, 200), boxes, ["benign", "malignant", "benign"],
                   np.array([0.2, 0.19, 0.1]), np.ones(3), np.array([[95.0, 95, 105, 105]]), ("speck",), 5)
    out = rank(c, LocateConfig(speck_score=0.3, min_specks=2))
    assert [p.source for p in out] == ["image:speck", "model", "model"]  # the near-copy (IoU 0.9) is gone
    assert out[0].label == "benign"  # the best model candidate's label
    few = rank(Candidates(**{**c.__dict__, "specks": 1}), LocateConfig(speck_score=0.3, min_specks=2))
    assert few[0].source == "model" and few[-1].source == "image:speck"


def _film(pixels: np.ndarray) -> np.ndarray:
    return pixels.astype(np.float32)


def test_blob_box_finds_the_size_of_a_bright_disc_near_the_click():
    yy, xx = np.mgrid[0:600, 0:600]
    img = np.full((600, 600), 0.3, np.float32)
    img[(xx - 300) ** 2 + (yy - 310) ** 2 <= 50 ** 2] = 0.8  # 20 mm disc at 0.2 mm
    box = blob_box(_film(img), (0.2, 0.2), 290.0, 300.0)  # clicked 2.8 mm off its centre
    assert box is not None
    side = box[2] - box[0]
    assert 70 <= side <= 120
    assert abs((box[0] + box[2]) / 2 - 300) <= 10 and abs((box[1] + box[3]) / 2 - 310) <= 10


def test_speck_box_boxes_the_cluster_nearest_the_click():
    img = np.full((400, 400), 0.4, np.float32)
    specks = [(200, 200), (206, 204), (198, 212), (210, 196)]  # a cluster of 4 specks, about 3 mm wide
    for x, y in specks + [(330, 330)]:  # and a lone speck far away
        img[y - 1:y + 2, x - 1:x + 2] = 0.9
    found = speck_box(_film(img), (0.2, 0.2), 190.0, 190.0)
    assert found is not None
    box, count = found
    assert count == 4
    assert box[0] < 198 and box[2] > 210 and box[1] < 196 and box[3] > 212 and box[2] < 300
    assert speck_box(_film(np.full((400, 400), 0.4, np.float32)), (0.2, 0.2), 190.0, 190.0) is None


def test_locate_runs_on_an_image_without_pixel_spacing(locator):
    img = Image(path="plain.png", format="png", pixels=np.full((300, 200), 60, np.uint8), bits_stored=8)
    img.pixels[140:160, 90:110] = 220
    out = locator.locate(img, 100.0, 150.0)
    assert out and out[0].box[0] <= 100 <= out[0].box[2]

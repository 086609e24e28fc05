import numpy as np

from mammoviewer.detect.anchors import AnchorSpec
from mammoviewer.detect.sampler import CropConfig, CropSampler, TrainFilm, clip_boxes, rotate_boxes


def _marked(side=32):
    img = np.zeros((side, side), np.float32)
    img[2:6, 20:28] = 1.0  # box x 20..28, y 2..6
    return img, np.array([[20, 2, 28, 6]], float)


def _box_of(img):
    ys, xs = np.nonzero(img > 0.5)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def test_rotate_boxes_follows_the_pixels():
    img, box = _marked()
    for k in range(4):
        for flip in (False, True):
            out = np.rot90(img, k)
            out = out[:, ::-1] if flip else out
            np.testing.assert_allclose(rotate_boxes(box, 32, k, flip)[0], _box_of(out))


def test_clip_boxes_keeps_mostly_inside_and_reports_cut():
    boxes = np.array([[0, 0, 10, 10], [25, 0, 45, 10], [90, 90, 95, 95]], float)
    kept, idx, cut = clip_boxes(boxes, 0, 0, 30, keep_fraction=0.6)
    assert idx.tolist() == [0] and cut.tolist() == [[25, 0, 30, 10]]  # 25 % inside: cut, not kept
    kept, idx, _ = clip_boxes(boxes, 10, 0, 30, keep_fraction=0.6)
    assert idx.tolist() == [1] and kept.tolist() == [[15, 0, 30, 10]]  # 75 % inside: clipped box


def _films():
    rng = np.random.default_rng(1)
    films = []
    for i in range(3):
        img = (rng.uniform(80, 160, (200, 200))).astype(np.uint8)
        img[:, :40] = 0  # air
        boxes = np.array([[100, 60, 130, 90]], float) if i < 2 else np.zeros((0, 4))
        films.append(TrainFilm(f"mdb00{i + 1}", img, boxes, np.array([i + 1] * len(boxes), np.int32)))
    return films


def test_crops_are_deterministic_and_hold_lesions():
    spec = AnchorSpec(strides=(8, 16), sizes=((12.0, 18.0), (30.0, 45.0)))
    sampler = CropSampler(_films(), spec, CropConfig(size=64, positive_fraction=1.0))
    x1, y1 = sampler.batch(6, np.random.default_rng([0, 1]))
    x2, y2 = sampler.batch(6, np.random.default_rng([0, 1]))
    assert x1.shape == (6, 64, 64, 1) and y1.shape == (6, (8 * 8 + 4 * 4) * 6, 5)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert ((y1[..., 0] > 0).sum(axis=1) > 0).sum() >= 4  # positive crops hold a lesion (unless cut)
    assert 0.0 <= x1.min() and x1.max() <= 1.0


def test_random_crops_avoid_air():
    sampler = CropSampler(_films(), cfg=CropConfig(size=64, positive_fraction=0.0, min_tissue=0.9))
    rng = np.random.default_rng(3)
    for _ in range(10):
        img, _, _, _ = sampler.crop(rng, positive=False)
        assert (img > 0.1).mean() >= 0.5  # contrast jitter may dim it, never to mostly air


def test_extra_planes_follow_the_geometry_but_not_the_contrast_jitter():
    """Plane 1 marks the lesion at 255 on a flat 128: its mark moves with the box, its level never changes."""
    films = []
    for f in _films()[:2]:
        marks = np.full(f.image.shape, 128, np.uint8)
        marks[60:90, 100:130] = 255
        films.append(TrainFilm(f.ref, np.stack([f.image, marks], axis=-1), f.boxes, f.labels))
    sampler = CropSampler(films, cfg=CropConfig(size=64, positive_fraction=1.0, keep_fraction=0.99))
    rng = np.random.default_rng(5)
    seen = 0
    for _ in range(20):
        img, boxes, _, _ = sampler.crop(rng, positive=True)
        assert img.shape == (64, 64, 2)
        assert np.median(img[:, :, 1]) == np.float32(128 / 255)
        if len(boxes):
            seen += 1
            x0, y0, x1, y1 = _box_of(img[:, :, 1] > 0.75)
            np.testing.assert_allclose([x0, y0, x1, y1], boxes[0], atol=2.0)
    assert seen >= 5
    x, _ = sampler.batch(3, rng)
    assert x.shape == (3, 64, 64, 2)


def test_any_angle_turns_keep_each_box_the_square_around_its_disc():
    """A drawn disc (plane 1) turned by any angle still fills the square given as its box."""
    import cv2

    films = []
    for f in _films()[:2]:
        marks = np.zeros(f.image.shape, np.uint8)
        cv2.circle(marks, (115, 75), 15, 255, -1)
        films.append(TrainFilm(f.ref, np.stack([f.image, marks], axis=-1), f.boxes, f.labels))
    sampler = CropSampler(films, cfg=CropConfig(size=64, positive_fraction=1.0, keep_fraction=0.99,
                                                any_angle=True))
    rng = np.random.default_rng(7)
    seen = 0
    for _ in range(30):
        img, boxes, labels, _ = sampler.crop(rng, positive=True)
        assert img.shape == (64, 64, 2) and len(labels) == len(boxes)
        if len(boxes):
            seen += 1
            np.testing.assert_allclose(_box_of(img[:, :, 1] > 0.5), boxes[0], atol=2.5)
    assert seen >= 10


def test_any_angle_off_by_default_and_deterministic():
    assert CropConfig().any_angle is False
    sampler = CropSampler(_films(), cfg=CropConfig(size=64, positive_fraction=1.0, any_angle=True))
    a = sampler.batch(4, np.random.default_rng([2, 3]))
    b = sampler.batch(4, np.random.default_rng([2, 3]))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def _lesion_films():
    """Two films of flat tissue (level 120, grain 6): one with a bright disc of radius 10 at (150, 100),
    labelled malignant, and one without a lesion."""
    rng = np.random.default_rng(2)
    films = []
    for i in range(2):
        img = rng.normal(120, 6, (200, 200)).clip(0, 255).astype(np.uint8)
        if i == 0:
            yy, xx = np.mgrid[0:200, 0:200]
            img[(xx - 150) ** 2 + (yy - 100) ** 2 <= 100] = 220
        boxes = np.array([[140, 90, 160, 110]], float) if i == 0 else np.zeros((0, 4))
        films.append(TrainFilm(f"mdb00{i + 1}", img, boxes, np.array([2] * len(boxes), np.int32)))
    return films


def test_pasted_lesions_are_blended_onto_tissue_with_their_box_and_label():
    cfg = CropConfig(size=96, positive_fraction=0.0, scale_jitter=(1.0, 1.0), gamma_jitter=0.0,
                     contrast_jitter=0.0, brightness_jitter=0.0, keep_fraction=0.99, paste_fraction=1.0)
    films = _lesion_films()
    sampler = CropSampler(films[1:] + films[:1], cfg=cfg)  # the lesion film second: crops come from either
    rng = np.random.default_rng(4)
    pasted = 0
    for _ in range(30):
        img, boxes, labels, cut = sampler.crop(rng, positive=False)
        assert len(boxes) >= 1 and len(boxes) == len(labels)  # a lesion-free crop always has room here
        assert (boxes >= 0).all() and (boxes <= 96).all()
        for (x0, y0, x1, y1), label in zip(boxes.astype(int), labels):
            assert label == 2 and abs((x1 - x0) - 20) <= 1  # the source lesion's label and size
            inside = img[y0 + 6:y1 - 6, x0 + 6:x1 - 6, 0].mean()
            ring = np.r_[img[max(y0 - 8, 0):y0, x0:x1, 0].ravel(), img[y1:y1 + 8, x0:x1, 0].ravel()]
            assert inside - ring.mean() > 60 / 255  # the disc stands out of the tissue, as on its own film
        pasted += 1
    assert pasted == 30
    again = CropSampler(films[1:] + films[:1], cfg=cfg).crop(np.random.default_rng(4), positive=False)
    first = CropSampler(films[1:] + films[:1], cfg=cfg).crop(np.random.default_rng(4), positive=False)
    np.testing.assert_array_equal(again[0], first[0])  # deterministic with the generator


def test_no_paste_by_default_and_none_where_there_is_no_tissue():
    films = _lesion_films()
    plain = CropSampler(films[1:], cfg=CropConfig(size=96, positive_fraction=0.0))
    assert plain.lesions == []
    img, boxes, _, _ = plain.crop(np.random.default_rng(0), positive=False)
    assert len(boxes) == 0
    air = TrainFilm("mdb009", np.zeros((200, 200), np.uint8), np.zeros((0, 4)), np.zeros(0, np.int32))
    sampler = CropSampler([films[0], air], cfg=CropConfig(size=96, min_tissue=0.0, paste_fraction=1.0))
    crop = np.zeros((96, 96, 1), np.float32)
    out, boxes, labels = sampler._pasted(crop, np.zeros((0, 4)), np.zeros(0, np.int32), np.zeros((0, 4)), 1.0,
                                         np.random.default_rng(0))
    assert out is crop and len(boxes) == 0 and len(labels) == 0  # air: nowhere to put it


def test_jittered_planes_share_the_same_contrast_change():
    """A second rendering of the film (the other breast) listed in ``jitter_planes`` gets the film's jitter."""
    films = [TrainFilm(f.ref, np.stack([f.image, f.image], axis=-1), f.boxes, f.labels) for f in _films()]
    sampler = CropSampler(films, cfg=CropConfig(size=64, jitter_planes=(0, 1)))
    rng = np.random.default_rng(7)
    for _ in range(5):
        img, _, _, _ = sampler.crop(rng, positive=False)
        np.testing.assert_array_equal(img[:, :, 0], img[:, :, 1])
    untouched = CropSampler(films, cfg=CropConfig(size=64))
    img, _, _, _ = untouched.crop(np.random.default_rng(7), positive=False)
    assert np.abs(img[:, :, 0] - img[:, :, 1]).max() > 0.01  # by default only the film is jittered


def test_film_weights_set_how_often_each_film_is_drawn():
    img = np.full((64, 64), 0.5, np.float32)
    films = [TrainFilm("a", img, np.array([[10, 10, 20, 20]], float), np.array([1])),
             TrainFilm("b", img, np.array([[30, 30, 40, 40]], float), np.array([3])),
             TrainFilm("c", img, np.zeros((0, 4)), np.zeros(0, int))]
    cfg = CropConfig(size=32, scale_jitter=(1.0, 1.0))
    sampler = CropSampler(films, AnchorSpec(), cfg, weights=[3.0, 1.0, 0.0])
    rng = np.random.default_rng(0)
    drawn = [sampler._draw(rng, positive=True) for _ in range(4000)]
    assert abs(drawn.count(0) / 4000 - 0.75) < 0.03 and 2 not in drawn
    drawn = [sampler._draw(rng, positive=False) for _ in range(4000)]
    assert 2 not in drawn and abs(drawn.count(0) / 4000 - 0.75) < 0.03
    even = CropSampler(films, AnchorSpec(), cfg)
    drawn = [even._draw(rng, positive=False) for _ in range(3000)]
    assert all(abs(drawn.count(i) / 3000 - 1 / 3) < 0.04 for i in range(3))
    import pytest

    with pytest.raises(ValueError, match="2 weights for 3 films"):
        CropSampler(films, AnchorSpec(), cfg, weights=[1.0, 1.0])

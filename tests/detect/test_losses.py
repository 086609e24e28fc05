import numpy as np

from mammoviewer.detect.losses import SSDLoss, hard_negative_mask


def test_hard_negative_mask_picks_the_hardest():
    loss = np.array([[0.1, 0.5, 0.3, 0.9, 0.2, 0.7, 5.0]], "float32")
    neg = np.array([[1, 1, 1, 1, 1, 1, 0]], "float32")  # the last one is not a negative
    m = np.asarray(hard_negative_mask(loss, neg, np.array([3.0], "float32")))
    assert np.flatnonzero(m[0]).tolist() == [1, 3, 5]
    m0 = np.asarray(hard_negative_mask(loss, neg, np.array([0.0], "float32")))
    assert m0.sum() == 0


def test_loss_on_a_toy_case_uses_3_to_1_mining_and_smooth_l1():
    a = np.array([0.0, 3.0, -1.0, 2.0, 0.5, -2.0, 1.0, -3.0])  # background logit per anchor
    logits = np.zeros((1, 8, 3))
    logits[0, :, 0] = a
    offsets = np.zeros((1, 8, 4))
    offsets[0, 0] = [0.5, 0.0, 2.0, 0.0]
    y_pred = np.concatenate([logits, offsets], -1).astype("float32")
    labels = np.array([1, 0, 0, 0, 0, 0, 0, -1], float)
    y_true = np.concatenate([labels[None, :, None], np.zeros((1, 8, 4))], -1).astype("float32")
    loss = float(SSDLoss(min_negatives=0.0)(y_true, y_pred))
    ce_bg = np.log(1 + 2 * np.exp(-a))  # softmax CE for background with the other logits at 0
    ce_pos = np.log(np.exp(a[0]) + 2)  # class 1 with logits (a0, 0, 0)
    hardest3 = np.sort(ce_bg[1:7])[::-1][:3].sum()  # the ignored anchor 7 never counts
    expected = ce_pos + hardest3 + (0.5 * 0.5**2 + (2.0 - 0.5))
    assert loss == np.float32(loss) and abs(loss - expected) < 1e-4


def test_loss_config_round_trip():
    loss = SSDLoss(neg_pos_ratio=2.0, min_negatives=4.0)
    again = SSDLoss.from_config(loss.get_config())
    assert again.neg_pos_ratio == 2.0 and again.min_negatives == 4.0


def test_a_crop_without_lesions_contributes_its_min_negatives_hardest_anchors():
    """Two crops: one with a lesion (1 positive), one of tissue only; the tissue crop keeps
    ``min_negatives`` hard negatives however few positives the batch holds."""
    a = np.linspace(-2.0, 2.0, 8)  # background logit per anchor
    logits = np.zeros((2, 8, 3))
    logits[:, :, 0] = a
    y_pred = np.concatenate([logits, np.zeros((2, 8, 4))], -1).astype("float32")
    labels = np.zeros((2, 8))
    labels[0, 7] = 1  # crop 0: one lesion anchor; crop 1: background only
    y_true = np.concatenate([labels[..., None], np.zeros((2, 8, 4))], -1).astype("float32")
    ce_bg = np.log(1 + 2 * np.exp(-a))
    ce_pos = np.log(np.exp(a[7]) + 2)
    for k in (2, 5):
        loss = float(SSDLoss(neg_pos_ratio=1.0, min_negatives=float(k))(y_true, y_pred))
        crop0 = ce_pos + np.sort(ce_bg[:7])[::-1][:k].sum()  # max(1 x 1 positive, k) negatives
        crop1 = np.sort(ce_bg)[::-1][:k].sum()
        assert abs(loss - (crop0 + crop1)) < 1e-4  # divided by the batch's single positive


def test_label_weight_scales_only_the_which_kind_part_of_a_lesion_anchor():
    """Lesion anchor with logits (0, 1, 3): -log p(benign) = -log p(lesion) - log p(benign | lesion)."""
    logits = np.array([[[0.0, 1.0, 3.0], [2.0, 0.0, 0.0]]])
    y_pred = np.concatenate([logits, np.zeros((1, 2, 4))], -1).astype("float32")
    y_true = np.array([[[1, 0, 0, 0, 0], [0, 0, 0, 0, 0]]], "float32")  # anchor 0 benign, anchor 1 background
    z = np.exp(logits[0, 0])
    detect = -np.log((z[1] + z[2]) / z.sum())
    which = -np.log(z[1] / (z[1] + z[2]))
    ce_bg = -np.log(np.exp(2.0) / (np.exp(2.0) + 2))
    for w in (0.0, 0.25, 1.0):
        loss = float(SSDLoss(min_negatives=1.0, label_weight=w)(y_true, y_pred))
        assert abs(loss - (detect + w * which + ce_bg)) < 1e-5
    assert abs(float(SSDLoss(min_negatives=1.0)(y_true, y_pred)) - (detect + which + ce_bg)) < 1e-5
    assert SSDLoss.from_config(SSDLoss(label_weight=0.25).get_config()).label_weight == 0.25


def test_focal_loss_counts_every_anchor_weighted_by_how_wrong_it_is():
    a = np.array([0.0, 3.0, -1.0, 2.0, 0.5, -2.0, 1.0, -3.0])  # background logit per anchor
    logits = np.zeros((1, 8, 3))
    logits[0, :, 0] = a
    y_pred = np.concatenate([logits, np.zeros((1, 8, 4))], -1).astype("float32")
    labels = np.array([1, 0, 0, 0, 0, 0, 0, -1], float)
    y_true = np.concatenate([labels[None, :, None], np.zeros((1, 8, 4))], -1).astype("float32")
    ce_bg = np.log(1 + 2 * np.exp(-a))
    ce_pos = np.log(np.exp(a[0]) + 2)

    def focal(ce, gamma):
        return (1 - np.exp(-ce)) ** gamma * ce

    for gamma in (1.0, 2.0):
        loss = float(SSDLoss(focal_gamma=gamma)(y_true, y_pred))
        expected = focal(ce_pos, gamma) + focal(ce_bg[1:7], gamma).sum()  # all 6 negatives, not the ignored one
        assert abs(loss - expected) < 1e-4
    # an easy negative weighs far less than under plain cross-entropy, a hard one nearly as much
    assert focal(ce_bg[1], 2.0) / ce_bg[1] < 0.01 and focal(ce_bg[7], 2.0) / ce_bg[7] > 0.8
    again = SSDLoss.from_config(SSDLoss(focal_gamma=2.0).get_config())
    assert again.focal_gamma == 2.0


def test_a_lesion_of_unknown_kind_counts_only_as_lesion_against_background():
    """Class id 3 (a DDSM box: lesion, kind unknown): its confidence loss is -log p(lesion), whichever of
    benign/malignant the logits favour; a known label keeps the plain cross-entropy."""
    logits = np.array([[[0.0, 2.0, -1.0, 0, 0, 0, 0]]], "float32")  # one anchor: bg 0, benign 2, malignant -1
    logp = logits[0, 0, :3] - np.log(np.exp(logits[0, 0, :3]).sum())
    unknown = np.array([[[3, 0, 0, 0, 0]]], "float32")
    malignant = np.array([[[2, 0, 0, 0, 0]]], "float32")
    got_unknown = float(SSDLoss(min_negatives=0.0)(unknown, logits))
    got_malignant = float(SSDLoss(min_negatives=0.0)(malignant, logits))
    assert abs(got_unknown - (-np.log(np.exp(logp[1]) + np.exp(logp[2])))) < 1e-5
    assert abs(got_malignant - (-logp[2])) < 1e-5
    focal = float(SSDLoss(focal_gamma=2.0)(unknown, logits))
    p_lesion = np.exp(logp[1]) + np.exp(logp[2])
    assert abs(focal - (1 - p_lesion) ** 2 * -np.log(p_lesion)) < 1e-5

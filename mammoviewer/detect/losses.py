"""The SSD loss: softmax cross-entropy with 3:1 hard negative mining + smooth-L1 on offsets.

With ``focal_gamma`` > 0 the confidence part is the focal loss instead (Lin et al. 2017, softmax form):
every lesion and background anchor counts, each weighted by ``(1 - p_true) ** gamma``, and no
negatives are mined.

For a lesion anchor the cross-entropy -log p(class) splits exactly into -log p(lesion) (is it a lesion,
the detection score) plus -log p(class | lesion) (which kind); ``label_weight`` scales the second part
(1.0, the default, is the plain softmax cross-entropy).

``y_true`` is ``[N, A, 5]``: the anchor's class (0 background, -1 ignore, 1.. a lesion
class, 3 a lesion of unknown kind: only its lesion/background part counts) then 4 encoded offsets. ``y_pred`` is ``[N, A, C + 4]``: C class logits, 4 offsets.
Written with ``keras.ops`` only, so it runs on any Keras 3 backend.
"""

from __future__ import annotations

from mammoviewer.detect.data import UNKNOWN_KIND_ID
from mammoviewer.keras_runtime import keras

ops = keras.ops


def hard_negative_mask(neg_loss, negatives, num_neg):
    """Mask ``[N, A]`` of the ``num_neg[n]`` highest-loss negatives of each row.

    ``neg_loss`` is the per-anchor loss, ``negatives`` a 0/1 mask of eligible anchors.
    """
    ranked = ops.where(negatives > 0, neg_loss, -1.0)
    sorted_desc = -ops.sort(-ranked, axis=1)
    count = ops.shape(ranked)[1]
    k = ops.cast(ops.clip(num_neg - 1.0, 0.0, ops.cast(count - 1, "float32")), "int32")
    kth = ops.take_along_axis(sorted_desc, ops.expand_dims(k, 1), axis=1)
    chosen = ops.logical_and(ranked >= kth, ops.expand_dims(num_neg > 0, 1))
    return ops.cast(chosen, "float32") * negatives


def smooth_l1(diff):
    a = ops.abs(diff)
    return ops.where(a < 1.0, 0.5 * a * a, a - 0.5)


@keras.saving.register_keras_serializable(package="mammoviewer")
class SSDLoss(keras.losses.Loss):
    """Sum of confidence and localisation losses over the batch, divided by the number of positives."""

    def __init__(self, num_classes: int = 3, neg_pos_ratio: float = 3.0, min_negatives: float = 8.0,
                 loc_weight: float = 1.0, label_weight: float = 1.0, focal_gamma: float = 0.0,
                 name: str = "ssd_loss", **kwargs) -> None:
        kwargs.pop("reduction", None)
        super().__init__(name=name, reduction="sum", **kwargs)
        self.num_classes = int(num_classes)
        self.neg_pos_ratio = float(neg_pos_ratio)
        self.min_negatives = float(min_negatives)
        self.loc_weight = float(loc_weight)
        self.label_weight = float(label_weight)
        self.focal_gamma = float(focal_gamma)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "float32")
        y_pred = ops.cast(y_pred, "float32")
        labels = y_true[..., 0]
        logits = y_pred[..., : self.num_classes]
        logp = ops.log_softmax(logits, axis=-1)
        onehot = ops.one_hot(ops.cast(ops.clip(labels, 0.0, self.num_classes - 1.0), "int32"), self.num_classes)
        ce = -ops.sum(onehot * logp, axis=-1)  # [N, A]
        # a lesion of unknown kind (class id UNKNOWN_KIND_ID) counts only as "lesion": -log p(lesion)
        unknown = ops.cast(ops.equal(labels, float(UNKNOWN_KIND_ID)), "float32")
        ce = ce * (1.0 - unknown) - ops.logsumexp(logp[..., 1:], axis=-1) * unknown
        pos = ops.cast(labels > 0, "float32")
        if self.label_weight != 1.0:  # ce = -log p(lesion) - log p(class | lesion) on lesion anchors
            log_lesion = ops.logsumexp(logp[..., 1:], axis=-1)
            which = ce + log_lesion  # -log p(class | lesion)
            ce = ce - (1.0 - self.label_weight) * which * pos
        neg = ops.cast(ops.equal(labels, 0.0), "float32")
        num_pos = ops.sum(pos, axis=1)
        if self.focal_gamma > 0:
            p_true = ops.exp(-ce)
            conf = ops.sum(ops.power(1.0 - p_true, self.focal_gamma) * ce * (pos + neg), axis=1)
        else:
            num_neg = ops.minimum(
                ops.maximum(self.neg_pos_ratio * num_pos, self.min_negatives), ops.sum(neg, axis=1)
            )
            hard = ops.stop_gradient(hard_negative_mask(ops.stop_gradient(ce), neg, num_neg))
            conf = ops.sum(ce * (pos + hard), axis=1)
        loc = ops.sum(ops.sum(smooth_l1(y_pred[..., self.num_classes :] - y_true[..., 1:5]), axis=-1) * pos, axis=1)
        total_pos = ops.maximum(ops.sum(num_pos), 1.0)
        return (conf + self.loc_weight * loc) / total_pos

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "neg_pos_ratio": self.neg_pos_ratio,
            "min_negatives": self.min_negatives,
            "loc_weight": self.loc_weight,
            "label_weight": self.label_weight,
            "focal_gamma": self.focal_gamma,
            "name": self.name,
        }

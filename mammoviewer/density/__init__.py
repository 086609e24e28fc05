"""Breast density: the dense share of the breast area, the tissue class it gives, and the rule that a
film is a mammogram at all.

* :mod:`.measure`: percent density by clustering the breast's intensities (after LIBRA) and the few
  intensity features the tissue rule reads;
* :mod:`.tissue`: the tissue class F / G / D (mini-MIAS's fatty, fatty-glandular, dense-glandular) from
  a small multinomial logistic rule shipped as a card in ``models/density``;
* :mod:`.guard`: :func:`~.guard.check_mammogram`, the one rule that refuses a CT, an ultrasound or a
  leg film before density, detection or the case score grades it;
* :mod:`.film`: one film's ``mammoviewer density --json`` entry.

Qt-free and TensorFlow-free: OpenCV and numpy only.
"""

from __future__ import annotations

from mammoviewer.density.guard import check_mammogram, mammogram_problem
from mammoviewer.density.measure import DensityMeasure, measure_density
from mammoviewer.density.tissue import TISSUES, TissueRule, load_rule

__all__ = ["DensityMeasure", "TISSUES", "TissueRule", "check_mammogram", "load_rule", "mammogram_problem",
           "measure_density"]

"""Research tools: how the bundled models were cross-validated, fitted and combined (not run by the app).

Each is a command (``python -m mammoviewer.research.NAME --help``):

- ``classifier_cv``: patient-level k-fold cross-validation of the case classifier (and its final model);
- ``classifier_card``: the classifier's cross-validation figures into ``card.json`` and ``CARD.md``;
- ``case_score_fit``: fit the combined case-score rule (detector findings + classifier) fold by fold;
- ``case_score_compare``: compare the classifier with the detector's top finding score, fold by fold;
- ``detector_ensemble``: average trained detectors of one anchor layout into one model;
- ``detector_fold_figures``: detector fold models fold by fold, with and without the breast mask, with the
  class-agnostic lesion AP and the case-score AUC;
- ``detector_domain_check``: findings above the operating point off the breast on the WG04 and CBIS-DDSM films;
- ``detector_cv`` (a library, used by ``mammoviewer evaluate --folds``): score each fold model on its
  held-out patients and pool the figures.
"""

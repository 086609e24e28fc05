"""Longer tasks started from the window: retraining the detector on reviewed films."""

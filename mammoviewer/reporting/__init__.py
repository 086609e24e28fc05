"""The reading's report: pre-filled from a study's films and the review store, exported as PDF and SR.

Qt-free. :mod:`.prefill` builds a :class:`~mammoviewer.review.report.StudyReport` from the accepted
findings of the study's films and where they lie (``geometry.breast_position`` with the nipple and chest
wall of ``detect.landmarks``); :mod:`.lookup` finds a study given as a folder or a study key;
:mod:`.composition` asks the density model for the breast composition; :mod:`.content` lays the report
out as text; :mod:`.key_images` draws the films with their findings. The PDF is painted by the GUI
layer (``gui.report.pdf``); the SR is built by ``formats.report_sr``.
"""

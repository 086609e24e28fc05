"""Paths to the loader test files: small ones in tests/data, larger ones in the shared data folder."""

from __future__ import annotations


from shared_paths import DATA, ROOT, SAMPLES, SHARED  # noqa: F401  (re-exported for the loader tests)
#: sha256 of the pixels of the reference subsampled CBIS-DDSM film ("S" in the DICOM README)
S_SHA256 = "fb55e17dd6a0a842b99bc2ae4da09813afe4eecaded7f371b3bbf2ad06f8d86b"

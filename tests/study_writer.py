"""Test studies written as real DICOM files with pydicom from the project's mini-MIAS sample films."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "resources" / "samples"
#: the sample films: mdb023 (right, MLO) and mdb024 (left, MLO) of one patient, mdb001 (right) of another
RIGHT_FILM, LEFT_FILM, OTHER_FILM = SAMPLES / "mdb023.pgm", SAMPLES / "mdb024.pgm", SAMPLES / "mdb001.pgm"


def film_pixels(source: Path, size: int = 128) -> np.ndarray:
    """A sample film shrunk to ``size`` x ``size`` (8-bit), chest wall where the film has it."""
    import cv2

    from mammoviewer.io import load_image

    pixels = load_image(source).pixels
    return cv2.resize(pixels, (size, size), interpolation=cv2.INTER_AREA)


def write_film(path: Path, pixels: np.ndarray, *, patient: str, study_uid: str, date: str | None,
               laterality: str | None, view: str | None, orientation: str | None = None,
               view_code: bool = False, spacing_mm: float | None = 1.6,
               spacing_tag: str = "ImagerPixelSpacing", bits_stored: int | None = None) -> Path:
    """Write ``pixels`` as an uncompressed MG DICOM file with the given header values.

    8-bit pixels are stored as they are; 16-bit ones with ``bits_stored`` bits (12 unless given).
    """
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.2"  # Digital Mammography X-Ray, for presentation
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "MG"
    ds.PatientID, ds.PatientName = patient, patient
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study_uid, generate_uid()
    if date:
        ds.StudyDate = date
    if laterality:
        ds.ImageLaterality = laterality
    if view and view_code:
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator = {"CC": "R-10242", "MLO": "R-10226"}[view], "SRT"
        item.CodeMeaning = {"CC": "cranio-caudal", "MLO": "medio-lateral oblique"}[view]
        ds.ViewCodeSequence = [item]
    elif view:
        ds.ViewPosition = view
    if orientation:
        ds.PatientOrientation = orientation.split("\\")
    if spacing_mm:
        setattr(ds, spacing_tag, [spacing_mm, spacing_mm])
    wide = pixels.dtype == np.uint16
    pixels = np.ascontiguousarray(pixels, dtype=np.uint16 if wide else np.uint8)
    bits = (bits_stored or 12) if wide else 8
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16 if wide else 8, bits, bits - 1, 0
    ds.PixelData = pixels.tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_exam(folder: Path, patient: str, date: str, *, size: int = 128, orientations: bool = True,
               mirror_right: bool = False) -> dict[str, Path]:
    """A four-view exam (RCC LCC RMLO LMLO) of MIAS pixels in ``folder``; returns label -> path.

    The CC films reuse the MLO pixels (no CC films in mini-MIAS): the hanging only needs the side.
    ``mirror_right`` stores the right films with their chest wall at the left edge, as PatientOrientation
    ``A\\FR`` then says (or, without ``orientations``, only the pixels show).
    """
    from pydicom.uid import generate_uid

    folder.mkdir(parents=True, exist_ok=True)
    study = generate_uid()
    right, left = film_pixels(RIGHT_FILM, size), film_pixels(LEFT_FILM, size)
    if mirror_right:
        right = right[:, ::-1]
    out = {}
    for side, pixels in (("R", right), ("L", left)):
        for view in ("CC", "MLO"):
            if side == "R":
                text = ("A\\FR" if mirror_right else "P\\FL") if view == "MLO" else ("A\\L" if mirror_right else "P\\L")
            else:
                text = "A\\FR" if view == "MLO" else "A\\R"
            out[side + view] = write_film(
                folder / f"{patient}_{date}_{side}{view}.dcm", pixels, patient=patient, study_uid=study,
                date=date, laterality=side, view=view, orientation=text if orientations else None,
                view_code=view == "CC")
    return out

"""DICOM images through pydicom and its decoder plugins, guarded against broken files."""

from __future__ import annotations

import math
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from mammoviewer.errors import ImageReadError
from mammoviewer.io import limits, views
from mammoviewer.io.image import Image, VoiLut, Window
from mammoviewer.io.window_values import usable_windows

#: the most pixels one frame may declare
MAX_FRAME_PIXELS = limits.MAX_IMAGE_PIXELS
#: the best compression ratio believed for encapsulated data before decoding
MAX_COMPRESSION_RATIO = 2000

_METADATA_TAGS = (
    "PatientID", "PatientName", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
    "SOPClassUID", "AccessionNumber", "StudyDate", "StudyDescription", "SeriesDescription",
    "Manufacturer", "ManufacturerModelName", "InstitutionName", "BodyPartExamined",
    "ImageType", "PatientOrientation", "ConversionType", "LossyImageCompression",
    "LossyImageCompressionRatio", "PixelIntensityRelationship", "PixelIntensityRelationshipSign",
    "RescaleSlope", "RescaleIntercept", "RescaleType", "PixelRepresentation", "BitsAllocated",
    "HighBit", "NumberOfFrames", "DerivationDescription",
)


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return "\\".join(str(v) for v in value)
    return str(value)


def _read_dataset(path: Path) -> Any:
    import pydicom
    from pydicom.errors import InvalidDicomError
    from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = pydicom.dcmread(path, force=True)
        except InvalidDicomError as exc:
            raise ImageReadError(path, f"not a readable DICOM file ({exc})") from exc
        except RecursionError as exc:
            raise ImageReadError(path, "DICOM file nests sequences too deeply") from exc
        except (OSError, EOFError, ValueError, KeyError, TypeError, struct.error) as exc:
            raise ImageReadError(path, f"unreadable DICOM file ({exc})") from exc
    problems = [str(w.message) for w in caught]
    if len(ds) == 0 or "PixelData" not in ds and any("End of file" in p for p in problems):
        detail = problems[0].split(" in file ")[0] if problems else "no data elements"
        raise ImageReadError(path, f"truncated or corrupt DICOM file ({detail})")
    if "TransferSyntaxUID" not in ds.file_meta:  # a bare dataset: use the encoding it was read with
        implicit, little = getattr(ds, "original_encoding", (True, True))
        if implicit is False:
            ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian if little else ExplicitVRBigEndian
        else:
            ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    return ds


def _one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception's message folded onto one line (pydicom lists each plugin's failure on its own line)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    text = "; ".join(lines) or type(exc).__name__
    text = text.replace("Unable to decode as exceptions were raised by all available plugins:;", "all decoders failed:")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _syntax_name(ds: Any) -> str:
    uid = ds.file_meta.TransferSyntaxUID
    return f"{uid.name} ({uid})" if uid.name != uid else str(uid)


def _check_sizes(ds: Any, path: Path) -> int:
    """Check Rows x Columns x frames against the Pixel Data length before any decoding."""
    if "PixelData" not in ds:
        if "FloatPixelData" in ds or "DoubleFloatPixelData" in ds:
            raise ImageReadError(path, "DICOM float pixel data is not supported")
        raise ImageReadError(path, "DICOM file has no Pixel Data (7FE0,0010); nothing to show")
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        bits = int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
    except AttributeError as exc:
        raise ImageReadError(path, "DICOM image attributes missing (Rows, Columns or Bits Allocated)") from exc
    except (TypeError, ValueError) as exc:
        raise ImageReadError(path, f"DICOM image attributes invalid ({exc})") from exc
    if rows <= 0 or cols <= 0 or frames <= 0 or bits not in (1, 8, 16, 32, 64):
        raise ImageReadError(path, f"DICOM image size {rows}x{cols}x{frames} at {bits} bits is invalid")
    if rows * cols > MAX_FRAME_PIXELS:
        limits.check_pixel_count(path, cols, rows, "DICOM Rows (0028,0010) x Columns (0028,0011)")
    expected = rows * cols * frames * samples * bits // 8
    if str(ds.get("PhotometricInterpretation", "")) == "YBR_FULL_422":
        expected = expected * 2 // 3  # chroma is subsampled 2:1 horizontally
    actual = len(ds.PixelData)
    if ds.file_meta.TransferSyntaxUID.is_compressed:
        if actual * MAX_COMPRESSION_RATIO < expected:
            raise ImageReadError(
                path, f"DICOM declares {rows}x{cols}x{frames} pixels but holds only {actual} bytes of "
                f"{_syntax_name(ds)} data (truncated?)",
            )
    elif actual < expected:
        raise ImageReadError(
            path, f"truncated DICOM Pixel Data: {actual} of {expected} bytes for {rows}x{cols}x{frames}"
        )
    return frames


def _preferred_plugin(ds: Any) -> str:
    """pydicom's own RLE decoder: pure Python errors on corrupt data, where the Rust plugin panics."""
    from pydicom.uid import RLELossless

    return "pydicom" if ds.file_meta.TransferSyntaxUID == RLELossless else ""


def _decode_first_frame(ds: Any, path: Path) -> np.ndarray:
    from pydicom.pixels import pixel_array

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            arr = pixel_array(ds, index=0, decoding_plugin=_preferred_plugin(ds))
        except RecursionError as exc:
            raise ImageReadError(path, "DICOM pixel data could not be decoded (recursion)") from exc
        except NotImplementedError as exc:
            raise ImageReadError(path, f"no installed decoder for {_syntax_name(ds)}") from exc
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - codec failures (Rust panics are BaseException) are read errors
            raise ImageReadError(path, f"failed to decode {_syntax_name(ds)} pixel data: {_one_line(exc)}") from exc
    return arr


def _to_gray(arr: np.ndarray, ds: Any, path: Path, meta: dict[str, str]) -> np.ndarray:
    if arr.ndim == 2 and str(ds.get("PhotometricInterpretation", "")) == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut

        try:
            arr = apply_color_lut(arr, ds)
        except (AttributeError, ValueError, IndexError, KeyError) as exc:
            raise ImageReadError(path, f"DICOM palette colour lookup failed ({exc})") from exc
    if arr.ndim == 2:
        return arr
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        # pydicom has already converted YBR to RGB (its ``as_rgb`` default)
        weights = np.array([0.299, 0.587, 0.114])
        meta["converted"] = f"colour ({ds.get('PhotometricInterpretation', '?')}) converted to gray"
        return np.rint(arr[..., :3].astype(np.float64) @ weights).astype(arr.dtype)
    raise ImageReadError(path, f"DICOM pixel array has unsupported shape {arr.shape}")


def _modality(arr: np.ndarray, ds: Any, meta: dict[str, str], path: Path) -> np.ndarray:
    from pydicom.pixels import apply_modality_lut

    if "ModalityLUTSequence" in ds:
        meta["modality_lut"] = "Modality LUT Sequence"
    elif "RescaleSlope" in ds or "RescaleIntercept" in ds:
        limits.finite_number(path, "DICOM Rescale Slope (0028,1053)", ds.get("RescaleSlope", 1))
        limits.finite_number(path, "DICOM Rescale Intercept (0028,1052)", ds.get("RescaleIntercept", 0))
        meta["modality_lut"] = f"rescale slope {ds.get('RescaleSlope', 1)} intercept {ds.get('RescaleIntercept', 0)}"
    else:
        return arr
    out = apply_modality_lut(arr, ds)
    if out.dtype.kind == "f":
        rounded = np.rint(out)
        if np.array_equal(rounded, out) and out.size:
            lo, hi = float(out.min()), float(out.max())
            for dtype in (np.uint8, np.uint16, np.int16, np.int32):
                info = np.iinfo(dtype)
                if info.min <= lo and hi <= info.max:
                    return rounded.astype(dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            out = out.astype(np.float32)
        if not np.isfinite(out).all():
            raise ImageReadError(path, f"DICOM {meta['modality_lut']} gives pixel values beyond the float range")
    return out


def _windows(ds: Any) -> tuple[Window, ...]:
    """The header's windows as written; ``window_values.usable_windows`` checks them against the pixels."""
    if "WindowCenter" not in ds or "WindowWidth" not in ds:
        return ()

    def listed(value: Any) -> list[Any]:
        return list(value) if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue" else [value]

    centers, widths = listed(ds.WindowCenter), listed(ds.WindowWidth)
    names = listed(ds.get("WindowCenterWidthExplanation", []) or [])
    function = str(ds.get("VOILUTFunction", "LINEAR") or "LINEAR").upper()
    if function not in ("LINEAR", "LINEAR_EXACT", "SIGMOID"):
        function = "LINEAR"
    out = []
    for i, (c, w) in enumerate(zip(centers, widths)):
        name = str(names[i]) if i < len(names) else ""
        try:
            out.append(Window(float(c), float(w), name, function))
        except (TypeError, ValueError):  # not a number: window_values.usable_windows notes it
            out.append(Window(math.nan, math.nan, name, function))
    return tuple(out)


def _lut_descriptor(item: Any, path: Path) -> tuple[int, int, int]:
    """(entries, first mapped, bits) of a VOI LUT item; ImageReadError on values no LUT can have."""
    field = "DICOM VOI LUT Descriptor (0028,3002)"
    try:
        n, first, bits = (int(v) for v in item.LUTDescriptor)
    except (TypeError, ValueError) as exc:
        raise ImageReadError(path, f"{field} is {item.get('LUTDescriptor')!r}; it needs three integers") from exc
    if not 1 <= bits <= limits.MAX_LUT_BITS:
        raise ImageReadError(path, f"{field} gives {bits} bits per entry; a LUT has 1 to {limits.MAX_LUT_BITS}")
    if not 0 <= n <= 65535 or not -(1 << 15) <= first <= 65535:
        raise ImageReadError(path, f"{field} gives {n} entries from {first}; outside the 16-bit range")
    return n or 65536, first, bits


def _voi_luts(ds: Any, path: Path) -> tuple[VoiLut, ...]:
    out = []
    for item in ds.get("VOILUTSequence", []) or []:
        if "LUTDescriptor" not in item:
            continue
        n, first, bits = _lut_descriptor(item, path)
        try:
            data = item.LUTData
            if isinstance(data, (bytes, bytearray)):
                table = np.frombuffer(data, dtype="<u2" if len(data) >= 2 * n else np.uint8)[:n]
            else:
                table = np.asarray(data if isinstance(data, (list, tuple)) or hasattr(data, "__len__") else [data])
            if int(ds.get("PixelRepresentation", 0)) == 1 and first >= 1 << 15:
                first -= 1 << 16
            out.append(VoiLut(first, bits, table.astype(np.uint16)[:n], str(item.get("LUTExplanation", ""))))
        except (AttributeError, TypeError, ValueError):
            continue
    return tuple(out)


def _spacing(ds: Any, path: Path) -> tuple[float, float] | None:
    """Pixel Spacing, else Imager Pixel Spacing, in mm; ImageReadError on an absurd or non-finite value."""
    for keyword, tag in (("PixelSpacing", "(0028,0030)"), ("ImagerPixelSpacing", "(0018,1164)")):
        value = ds.get(keyword)
        if value:
            name = "Pixel Spacing" if keyword == "PixelSpacing" else "Imager Pixel Spacing"
            return limits.pixel_spacing(path, f"DICOM {name} {tag}", value)
    return None


def read_dicom(path: str | Path) -> Image:
    """Read a DICOM file's first frame, after the Modality LUT."""
    path = Path(path)
    ds = _read_dataset(path)
    frames = _check_sizes(ds, path)
    meta: dict[str, str] = {"transfer_syntax": _syntax_name(ds)}
    for tag in _METADATA_TAGS:
        if tag in ds and ds.get(tag) not in (None, ""):
            meta[tag] = _text(ds.get(tag))
    if frames > 1:
        meta["frames"] = f"{frames} frames; showing the first"
    arr = _to_gray(_decode_first_frame(ds, path), ds, path, meta)
    if arr.shape != (int(ds.Rows), int(ds.Columns)):
        raise ImageReadError(path, f"decoded frame has shape {arr.shape}, not {ds.Rows}x{ds.Columns}")
    pixels = _modality(arr, ds, meta, path)
    if not pixels.dtype.isnative:
        pixels = pixels.astype(pixels.dtype.newbyteorder("="))
    pixels = np.ascontiguousarray(pixels)
    spacing_mm = _spacing(ds, path)
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    if meta.get("converted"):
        photometric = "MONOCHROME2"
    image = Image(
        path=str(path),
        format="dicom",
        pixels=pixels,
        bits_stored=int(ds.get("BitsStored", ds.BitsAllocated)),
        photometric=photometric,
        pixel_spacing_mm=spacing_mm,
        laterality=views.laterality_of(ds),
        view=views.view_of(ds) or _text(ds.get("ViewPosition", "")) or None,  # AP, PA ... as written
        modality=str(ds.Modality) if ds.get("Modality") else None,
        voi_luts=_voi_luts(ds, path),
        presentation_intent=str(ds.PresentationIntentType) if ds.get("PresentationIntentType") else None,
        metadata=meta,
    )
    image.windows = usable_windows(image, _windows(ds), "DICOM Window Center/Width (0028,1050/1051)")
    return image

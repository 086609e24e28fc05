"""Fuzz driver, run as a child process by ``test_fuzz.py``: seeded mutants of real files, each loaded,
rendered and prepared for the models; one JSON line per mutant on stdout.

A line ``{"start": i, "path": ...}`` is written (and flushed) before each mutant, so when a native
library aborts the process the parent knows which mutant did it. Usage:
``python fuzz_driver.py OUT_DIR SEED SOURCE:COUNT...`` (COUNT mutants of each source).
"""

from __future__ import annotations

import json
import random
import sys
import warnings
from pathlib import Path

#: DICOM attributes a mutant sets, and values that have broken readers
DICOM_VALUES = {
    "Rows": [0, 1, 2, 65535], "Columns": [0, 1, 3, 65535], "BitsAllocated": [0, 1, 7, 12, 32, 64],
    "BitsStored": [0, 1, 17, 33], "HighBit": [0, 31, 64], "PixelRepresentation": [1, 2],
    "SamplesPerPixel": [0, 3, 4], "NumberOfFrames": ["0", "-1", "99999"],
    "PhotometricInterpretation": ["MONOCHROME1", "RGB", "PALETTE COLOR", "YBR_FULL_422", "XYZ"],
    "PixelSpacing": [["0", "0"], ["-1", "1"], ["nan", "nan"], ["inf", "1"], ["1e6", "1e6"], ["1e-9", "1"]],
    "ImagerPixelSpacing": [["1e6", "1e6"], ["0.1"]],
    "RescaleSlope": ["0", "-1", "nan", "inf", "1e300"], "RescaleIntercept": ["nan", "-inf", "1e300"],
    "WindowCenter": ["nan", "inf", "-1e300"], "WindowWidth": ["0", "-5", "nan", "1e-300"],
    "VOILUTFunction": ["SIGMOID", "BOGUS"],
}
LUT_DESCRIPTORS = [[256, 0, 65535], [0, 0, 16], [4096, 65535, 12], [1, 0, 0], [65535, 0, 8]]


def mutate_bytes(data: bytes, rng: random.Random, head: int = 4000) -> bytes:
    out = bytearray(data)
    op = rng.choice(("truncate", "flip", "zero", "insert"))
    if op == "truncate":
        return bytes(out[: rng.randrange(1, len(out))])
    if op == "flip":
        for _ in range(rng.randrange(1, 20)):
            out[rng.randrange(0, min(len(out), head))] = rng.randrange(256)
        return bytes(out)
    start = rng.randrange(0, min(len(out), head))
    if op == "zero":
        out[start : start + rng.randrange(1, 64)] = b"\0" * 8
        return bytes(out)
    return bytes(out[:start]) + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16))) + bytes(out[start:])


def mutate_dicom(source: Path, rng: random.Random, target: Path) -> None:
    """Set one attribute (or the VOI LUT Descriptor) to a hostile value; bytes are damaged instead when
    pydicom cannot write the value."""
    import pydicom
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    if rng.random() < 0.35:
        target.write_bytes(mutate_bytes(source.read_bytes(), rng))
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(source, force=True)
        try:
            if rng.random() < 0.2:
                item = Dataset()
                item.add_new(0x00283002, "US", rng.choice(LUT_DESCRIPTORS))
                item.add_new(0x00283006, "US", [rng.randrange(65536) for _ in range(rng.choice((1, 16, 256)))])
                ds.VOILUTSequence = Sequence([item])
                for k in ("WindowCenter", "WindowWidth"):
                    if k in ds:
                        delattr(ds, k)
            else:
                for _ in range(rng.randrange(1, 3)):
                    key = rng.choice(sorted(DICOM_VALUES))
                    setattr(ds, key, rng.choice(DICOM_VALUES[key]))
            ds.save_as(target, enforce_file_format=False)
        except Exception:  # noqa: BLE001 - a value pydicom will not write: damage bytes instead
            target.write_bytes(mutate_bytes(source.read_bytes(), rng))


def mutate_pgm(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return mutate_bytes(data, rng, head=64)
    width, height = rng.choice([(65536, 1), (1, 65536), (0, 5), (70000, 70000), (1024, 1024), (3, 1)])
    maxval = rng.choice([1, 255, 256, 65535, 65536, 0])
    pixels = data[data.index(b"255\n") + 4 :] if b"255\n" in data[:64] else data[15:]
    return f"P5\n{width} {height}\n{maxval}\n".encode() + pixels[: rng.choice((0, 100, len(pixels)))]


def mutate_png(data: bytes, rng: random.Random) -> bytes:
    import struct
    import zlib

    if rng.random() < 0.6:
        return mutate_bytes(data, rng, head=min(len(data), 200))
    width, height = rng.choice([(20000, 20000), (1, 65536), (65536, 1), (0, 0), (2**31 - 1, 2)])
    ihdr = struct.pack(">II", width, height) + data[24:29]
    chunk = b"IHDR" + ihdr
    return data[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]


def mutant(source: Path, rng: random.Random, target: Path) -> None:
    if source.suffix == ".dcm":
        mutate_dicom(source, rng, target)
    elif source.suffix == ".pgm":
        target.write_bytes(mutate_pgm(source.read_bytes(), rng))
    else:
        target.write_bytes(mutate_png(source.read_bytes(), rng))


def outcome(path: Path) -> dict:
    """Load, render and prepare for both models; the project's errors are expected outcomes."""
    from mammoviewer.classify.preprocess import prepare as prepare_classifier
    from mammoviewer.detect.preprocess import prepare as prepare_detector
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.io import load_image
    from mammoviewer.io.display import display_lut, render

    try:
        image = load_image(path)
    except MammoViewerError as exc:
        return {"outcome": "refused", "type": type(exc).__name__, "message": str(exc)}
    try:
        render(image)
        display_lut(image)
        prepare_detector(image, 0.4, 64)
        prepare_classifier(image)
    except MammoViewerError as exc:
        return {"outcome": "refused later", "type": type(exc).__name__, "message": str(exc)}
    return {"outcome": "loaded"}


def main(argv: list[str]) -> int:
    out, seed = Path(argv[0]), int(argv[1])
    sources = [(Path(a.rsplit(":", 1)[0]), int(a.rsplit(":", 1)[1])) for a in argv[2:]]
    warnings.simplefilter("error")  # a warning that escapes is a failure too
    i = 0
    for source, count in sources:
        rng = random.Random(f"{seed}:{source.name}")
        for k in range(count):
            target = out / f"m{i:04d}_{source.stem}{source.suffix}"
            mutant(source, rng, target)
            print(json.dumps({"start": i, "path": str(target)}), flush=True)
            try:
                result = outcome(target)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
                result = {"outcome": "escaped", "type": type(exc).__name__, "message": str(exc)[:300]}
            print(json.dumps({"done": i, "path": str(target), **result}), flush=True)
            if result["outcome"] != "escaped":
                target.unlink()
            i += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

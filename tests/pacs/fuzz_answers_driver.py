"""Fuzz driver, run as a child process by ``test_fuzz_answers.py``: a scripted node on loopback plays
seeded hostile C-FIND answers and C-GET retrieves to the client; one JSON line per case on stdout.

A line ``{"start": i, ...}`` is written (and flushed) before each case, so when the process dies the
parent knows which case did it. Usage: ``python fuzz_answers_driver.py WORK_DIR SEED FINDS GETS``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import warnings
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
SMALL = TESTS / "data" / "mg_ge_sends_lcc_for_processing_4x4.dcm"
#: C-FIND answer attributes a case changes, with the VRs it may give them
FIND_KEYS = {
    0x0020000D: "UI", 0x00100020: "LO", 0x00100010: "PN", 0x00080020: "DA", 0x00080061: "CS", 0x00201208: "IS",
}  # fmt: skip
TEXTS = ["abc", "", "-1", "99999999999999", "1e400", "..", "../../etc", "a\\b\\c\\d", "x" * 3000, "\x00\x01",
         "é" * 20, "1.2.3", "20240230", "\\" * 50, "NaN"]  # fmt: skip
STATUSES = [0xFF00, 0xFF00, 0xFF00, 0xFF01, 0x0000, 0xA700, 0xC001, 0xFE00, 0xB000, 0x0001, 0xA900]
UIDS = ["1.2.826.0.1.9", "../../evil", "", "1." + "2" * 70, "1.2.3\\4.5", "abc", "/etc/passwd"]


def _hostile_value(rng: random.Random, vr: str) -> tuple[str, Any]:
    """A VR and a value: the attribute's own VR with junk text, or UN/LO carrying junk bytes."""
    choice = rng.random()
    if choice < 0.3:
        return "UN", bytes(rng.randrange(256) for _ in range(rng.choice((1, 2, 7, 64))))
    if choice < 0.5:
        return "LO", rng.choice(TEXTS)[:64]
    return vr, rng.choice(TEXTS)


def find_answers(rng: random.Random) -> list[Any]:
    from pydicom.dataelem import RawDataElement
    from pydicom.dataset import Dataset
    from pydicom.tag import Tag

    answers: list[Any] = []
    for n in range(rng.randrange(0, 4)):
        ds = Dataset()
        ds.QueryRetrieveLevel = "STUDY"
        ds.StudyInstanceUID = f"1.2.826.0.1.{n + 1}"
        ds.PatientID, ds.StudyDate = "P1", "20240101"
        for _ in range(rng.randrange(1, 4)):
            tag = rng.choice(sorted(FIND_KEYS))
            vr, value = _hostile_value(rng, FIND_KEYS[tag])
            if tag in ds:
                del ds[tag]
            if isinstance(value, bytes):  # raw bytes, sent as they are
                ds[tag] = RawDataElement(Tag(tag), vr, len(value), value, 0, False, True)
            else:
                try:
                    ds.add_new(tag, vr, value)
                except (ValueError, TypeError, OverflowError):  # pydicom will not hold it as its own VR
                    ds.add_new(tag, "LO", value[:64])
        status = rng.choice(STATUSES)
        answers.append((status, None if rng.random() < 0.1 else ds))
    return answers


def get_datasets(rng: random.Random, study: str) -> list[Any]:
    import pydicom

    out = []
    for _ in range(rng.randrange(0, 4)):
        ds = pydicom.dcmread(SMALL)
        ds.StudyInstanceUID = study if rng.random() < 0.8 else rng.choice(UIDS)
        uid = rng.choice(UIDS) if rng.random() < 0.5 else pydicom.uid.generate_uid()
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = uid
        out.append(ds)
    return out


def find_outcome(node: Any) -> dict[str, Any]:
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.pacs import find_studies

    try:
        studies = find_studies(node)
    except MammoViewerError as exc:
        return {"outcome": "refused", "type": type(exc).__name__, "message": str(exc)}
    json.dumps([s.to_json() for s in studies])  # every answer as the CLI prints it
    assert all(s.images is None or 0 <= s.images for s in studies), studies
    assert all("\n" not in s.patient_name and len(s.patient_id) <= 200 for s in studies), studies
    return {"outcome": "loaded", "studies": len(studies)}


def get_outcome(node: Any, study: str, dest: Path) -> dict[str, Any]:
    from mammoviewer.errors import MammoViewerError
    from mammoviewer.pacs import get_study

    try:
        paths = get_study(node, study, dest)
    except MammoViewerError as exc:
        result: dict[str, Any] = {"outcome": "refused", "type": type(exc).__name__, "message": str(exc)}
    else:
        result = {"outcome": "loaded", "images": len(paths)}
        outside = [str(p) for p in paths if p.parent != dest / study]
        assert not outside, f"written outside {dest / study}: {outside}"
    written = [str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()]
    assert not [w for w in written if not w.startswith(study + os.sep)], f"files outside the study: {written}"
    assert not list(dest.glob(".retrieving-*")), "a retrieve left its hidden folder"
    return result


def main(argv: list[str]) -> int:
    sys.path[:0] = [str(Path(__file__).parent)]
    from scripted_scp import Script, scripted_node  # type: ignore[import-not-found]

    work, seed, finds, gets = Path(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    warnings.simplefilter("ignore")  # pydicom's complaints about the junk values are expected here
    rng = random.Random(f"{seed}:pacs")
    script = Script()
    with scripted_node(script) as node:
        node = node.with_timeout(5.0)
        for i in range(finds + gets):
            kind = "find" if i < finds else "get"
            study = "1.2.826.0.1.9"
            if kind == "find":
                script.answers = find_answers(rng)
            else:
                script.datasets = get_datasets(rng, study)
            print(json.dumps({"start": i, "kind": kind}), flush=True)
            try:
                result = find_outcome(node) if kind == "find" else get_outcome(node, study, work / f"get{i:03d}")
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
                result = {"outcome": "escaped", "type": type(exc).__name__, "message": str(exc)[:300]}
            print(json.dumps({"done": i, "kind": kind, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

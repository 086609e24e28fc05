"""``mammoviewer pacs find|get|send``: query, retrieve (C-GET) and send (C-STORE) over DICOM networking.

The node is given with ``--host/--port/--aet`` or by name from the settings file (``--node``);
``--timeout`` overrides its time limits. Each failure is one line naming the node or file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mammoviewer.cli.arguments import positive_float, positive_int


def _node_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", metavar="H", help="PACS host name or address")
    p.add_argument("--port", type=positive_int, metavar="P", help="PACS DICOM port")
    p.add_argument("--aet", metavar="AET", help="the PACS's AE title (called AE title)")
    p.add_argument("--calling-aet", metavar="A", default=None, help="our AE title (default MAMMOVIEWER)")
    p.add_argument("--node", metavar="NAME", help="a node saved in the PACS settings instead of --host/--port/--aet")
    p.add_argument("--settings", metavar="FILE", help="PACS settings file (default: the user's)")
    p.add_argument("--timeout", type=positive_float, metavar="S", help="time limit in seconds for each step")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="pacs_command", metavar="ACTION", required=True)
    find = sub.add_parser("find", help="list the studies matching a patient ID and date range")
    _node_arguments(find)
    find.add_argument("--patient", metavar="ID", help="patient ID (DICOM wildcards * and ? allowed)")
    find.add_argument("--date", metavar="RANGE", help="study date or range: YYYYMMDD, YYYYMMDD-YYYYMMDD")
    find.add_argument("--json", action="store_true", help='print {"studies": [...]} as JSON')
    get = sub.add_parser("get", help="retrieve whole studies (C-GET) into a folder")
    get.add_argument("study_uids", nargs="+", metavar="STUDY_UID")
    _node_arguments(get)
    get.add_argument("--to", required=True, metavar="DIR", help="folder for the studies (DIR/STUDY_UID/...)")
    send = sub.add_parser("send", help="send DICOM files (or the DICOM files in folders) with C-STORE")
    send.add_argument("files", nargs="+", metavar="FILE")
    _node_arguments(send)


def node_from(args: argparse.Namespace):  # noqa: ANN201 - PacsNode, imported lazily
    """The node the arguments name; PacsError if they name none or half of one."""
    from mammoviewer.errors import PacsError
    from mammoviewer.pacs.nodes import DEFAULT_CALLING_AET, PacsNode, find_node

    if args.node:
        node = find_node(args.node, args.settings)
        if args.calling_aet:
            from dataclasses import replace

            node = replace(node, calling_aet=args.calling_aet)
    else:
        missing = [f"--{k}" for k in ("host", "port", "aet") if not getattr(args, k)]
        if missing:
            raise PacsError(f"give the PACS with --host, --port and --aet (missing {', '.join(missing)}), or --node")
        node = PacsNode(host=args.host, port=args.port, called_aet=args.aet,
                        calling_aet=args.calling_aet or DEFAULT_CALLING_AET)  # fmt: skip
    return node.with_timeout(args.timeout) if args.timeout else node


def _find(args: argparse.Namespace) -> int:
    from mammoviewer.pacs import find_studies

    studies = find_studies(node_from(args), patient_id=args.patient, date=args.date)
    if args.json:
        print(json.dumps({"studies": [s.to_json() for s in studies]}, indent=2))
    else:
        for s in studies:
            print(f"{s.study_date or '-':8}  {s.patient_id:24}  {','.join(s.modalities) or '-':6}  "
                  f"{s.images if s.images is not None else '?':>4} images  {s.study_uid}")  # fmt: skip
        print(f"{len(studies)} studies")
    return 0


def _get(args: argparse.Namespace) -> int:
    from mammoviewer.errors import PacsError
    from mammoviewer.pacs import get_study

    node, failed = node_from(args), 0
    for uid in args.study_uids:
        try:
            paths = get_study(node, uid, args.to)
        except PacsError as exc:
            print(f"mammoviewer: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"retrieved {len(paths)} images of study {uid} into {Path(args.to) / uid}")
    return 2 if failed else 0


def _expand(names: list[str]) -> list[Path]:
    out: list[Path] = []
    for name in map(Path, names):
        if name.is_dir():
            from mammoviewer.formats.dicom_source import is_dicom

            out += sorted(p for p in name.rglob("*") if p.is_file() and is_dicom(p))
        else:
            out.append(name)
    return out


def _send(args: argparse.Namespace) -> int:
    from mammoviewer.pacs import send_files

    node = node_from(args)
    files = _expand(args.files)
    result = send_files(node, files)
    for line in result.failed:
        print(f"mammoviewer: error: {line}", file=sys.stderr)
    print(f"sent {len(result.sent)} of {len(files)} files to {node.label}")
    return 2 if result.failed else 0


def run(args: argparse.Namespace) -> int:
    import warnings

    with warnings.catch_warnings():  # not one pydicom warning per malformed value a node sends
        warnings.filterwarnings("ignore", category=UserWarning, module=r"pydicom(\.|$)")
        return {"find": _find, "get": _get, "send": _send}[args.pacs_command](args)

"""``mammoviewer density``: percent density and tissue class (F / G / D) of films.

``--json`` prints ``{"images": [{"path", "percent_density", "tissue", "scores": {"F", "G", "D"}}]}``
(``models/density``'s rule, cross-validated on mini-MIAS; see models/README.md). A film that cannot be
read, or is not a mammogram (a DICOM Modality other than MG, or no breast found), gets
``{"path", "error"}`` and one stderr line naming it; the others are still graded and the exit status is 2.
"""

from __future__ import annotations

import argparse
import json

from mammoviewer.progress import Bar, say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PGM, DICOM, PNG or TIFF files")
    parser.add_argument("--card", default=None, metavar="C",
                        help="density card (default: the bundled models/density/card.json)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from mammoviewer.density.film import density_entry
    from mammoviewer.density.tissue import TISSUE_NAMES, load_rule

    rule = load_rule(args.card)  # DetectorError -> one line, exit 2 (dispatcher)
    results, failed = [], 0
    with Bar(len(args.images), "density", enabled=None if len(args.images) > 1 else False) as bar:
        for path in args.images:
            entry = density_entry(rule, path)
            results.append(entry)
            if "error" in entry:
                failed += 1
                say(f"mammoviewer: error: {entry['error']}")
            bar.update()
    if args.json:
        print(json.dumps({"images": results}, indent=1))
    else:
        for e in results:
            if "error" not in e:
                print(f"{e['path']}: percent density {e['percent_density']:.1f} %, tissue {e['tissue']} "
                      f"({TISSUE_NAMES[e['tissue']]})")
    return 2 if failed else 0

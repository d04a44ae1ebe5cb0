"""The glossary's sub-commands: ``explain`` and ``terminology import-rf2``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_DB = Path("var") / "terminology" / "snomedct.sqlite3"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the glossary's sub-commands."""
    explain = sub.add_parser("explain", help="explain a FHIR R4 record bundle in plain English")
    explain.add_argument("record", type=Path, help="a FHIR R4 Bundle as JSON")
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    explain.set_defaults(func=run_explain)

    term = sub.add_parser("terminology", help="manage the SNOMED CT terminology")
    term_sub = term.add_subparsers(dest="terminology_command", required=True)
    imp = term_sub.add_parser(
        "import-rf2",
        help="import an unpacked RF2 snapshot (International or UK Edition) for PyMedTermino",
    )
    imp.add_argument("path", type=Path, help="the unpacked release folder")
    imp.add_argument(
        "--out", type=Path, default=DEFAULT_DB,
        help=f"database file or folder (default {DEFAULT_DB}); then set PLAINRECORD_SNOMED_DB",
    )
    imp.add_argument("--quiet", action="store_true", help="no progress bars")
    imp.set_defaults(func=run_import_rf2)


def run_explain(args: argparse.Namespace) -> int:
    """Print a record bundle, explained section by section."""
    from glossary import get_glossary
    from glossary.fhir_explain import as_json, as_text, explain_bundle

    try:
        bundle = json.loads(args.record.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cannot read {args.record}: {exc}", file=sys.stderr)
        return 2
    items = explain_bundle(bundle, get_glossary())
    if args.json:
        print(json.dumps(as_json(items), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(as_text(items))
    return 0


def run_import_rf2(args: argparse.Namespace) -> int:
    """Import an RF2 release and say how to use it."""
    from glossary.terminology.rf2 import Rf2Error, import_rf2

    def echo(msg: str) -> None:
        if not args.quiet:
            print(f"... {msg}", file=sys.stderr)

    try:
        report = import_rf2(args.path, args.out, progress=not args.quiet, echo=echo)
    except Rf2Error as exc:
        print(f"import failed: {exc}", file=sys.stderr)
        return 1
    print(f"release {report.release}: {report.active_concepts} active concepts "
          f"({report.concepts} in all), {report.descriptions} descriptions, "
          f"{report.relationships} relationships, {report.preferred_terms} preferred terms")
    if report.skipped_relationship_types:
        skipped = sum(report.skipped_relationship_types.values())
        print(f"skipped {skipped} relationships of {len(report.skipped_relationship_types)} "
              "types PyMedTermino does not know (the is-a hierarchy is complete)")
    if report.bad_lines:
        print(f"skipped {report.bad_lines} malformed lines")
    print(f"wrote {report.db_path}\nuse it with: export PLAINRECORD_SNOMED_DB={report.db_path}")
    return 0

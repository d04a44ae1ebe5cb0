"""Command-line sub-commands for the record store: ``db upgrade``, ``import``, ``demo``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's sub-commands."""
    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations (alembic upgrade head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_upgrade)

    imp = sub.add_parser("import", help="import FHIR bundles (a file, or *.json in a folder)")
    imp.add_argument("path", type=Path)
    imp.set_defaults(func=_import)

    demo = sub.add_parser("demo", help="upgrade the database, load demo patients and users")
    demo.set_defaults(func=_demo)


def _upgrade(args: argparse.Namespace) -> int:
    from api.migrations import upgrade
    from api.services import get_services

    services = get_services()
    services.settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(services.settings.effective_database_url, getattr(args, "revision", "head"))
    print("Database is up to date.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from api.records.importer import BundleError, bundle_files, import_bundle
    from api.services import get_services

    db = get_services().db
    status = 0
    for path in bundle_files(args.path):
        try:
            bundle = json.loads(path.read_text())
            with db.session() as session:  # one transaction per bundle
                report = import_bundle(session, bundle, source=path.name)
        except (OSError, json.JSONDecodeError, BundleError) as exc:
            print(f"{path.name}: not imported: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{path.name}: {report.fhir_version}, {len(report.patients)} patient(s), "
              f"{report.created} created, {report.updated} updated, "
              f"{report.unchanged} unchanged, {len(report.issues)} issue(s)")
        for issue in report.issues:
            print(f"  entry {issue.index} ({issue.resource_type}): {issue.reason}")
        if report.issues:
            status = 1  # imported, but some entries were kept aside: say so to scripts
    return status


def _demo(args: argparse.Namespace) -> int:
    from api.records.demo import DEMO_USERS, load_demo
    from api.services import get_services

    _upgrade(argparse.Namespace(revision="head"))
    with get_services().db.session() as session:
        reports = load_demo(session)
    for report in reports:
        print(f"{report.source}: {report.created} created, {report.updated} updated, "
              f"{report.unchanged} unchanged, {len(report.issues)} issue(s)")
    print("Demo logins:")
    for user in DEMO_USERS:
        print(f"  {user.username:<10} {user.password:<14} {user.description}")
    return 0

"""``plainrecord``: the command line. Each area registers its own sub-commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every area's sub-commands."""
    parser = argparse.ArgumentParser(prog="plainrecord", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    from api.records import cli as records_cli
    from api.safety import cli as safety_cli
    from glossary import cli as glossary_cli

    glossary_cli.register(sub)
    records_cli.register(sub)
    safety_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command and return its exit status."""
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())

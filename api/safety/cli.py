"""``plainrecord screen``: run the red-flag screen over messages and print one JSON line each.

The clinical safety officer's tool for reviewing the phrase lists: feed it the test phrasings,
or a draft data file with ``--data``, and read why each message was flagged or cleared.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from api.safety.screen import ScreenResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``screen`` sub-command."""
    parser = sub.add_parser(
        "screen",
        help="screen messages for red flags (one JSON line each)",
        description="Screen messages for red flags. Messages come from the arguments, or one a "
        "line on standard input. Prints one JSON line per message: message, verdict "
        "(red_flag|clear), category, phrase, reason, and every candidate found.",
    )
    parser.add_argument("messages", nargs="*", help="messages to screen (default: stdin lines)")
    parser.add_argument("--data", type=Path, default=None,
                        help="a red-flag data file to use instead of the packaged one")
    parser.set_defaults(func=run_screen)


def run_screen(args: argparse.Namespace, stdin: TextIO | None = None,
               stdout: TextIO | None = None) -> int:
    """Screen each message and print its verdict as a JSON line.

    Args:
        args: Parsed arguments (``messages``, ``data``).
        stdin: Where to read messages when none are given (default ``sys.stdin``).
        stdout: Where to print (default ``sys.stdout``).

    Returns:
        0.
    """
    from api.safety.screen import RedFlagScreen

    out = stdout or sys.stdout
    screen = RedFlagScreen.load(args.data)
    messages: Iterable[str] = args.messages or _lines(stdin or sys.stdin)
    for message in messages:
        out.write(json.dumps(verdict(screen.check(message), message), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def verdict(result: ScreenResult, message: str) -> dict[str, Any]:
    """The JSON shape of one ``ScreenResult`` for review."""
    return {
        "message": message,
        "verdict": "red_flag" if result.red_flag else "clear",
        "category": result.category,
        "phrase": result.phrase,
        "reason": result.reason,
        "matches": [
            {"category": m.category, "phrase": m.phrase, "rule": m.rule, "status": m.status,
             "detail": m.detail}
            for m in result.matches
        ],
    }


def _lines(stream: TextIO) -> Iterator[str]:
    for line in stream:
        line = line.rstrip("\r\n")
        if line.strip():
            yield line

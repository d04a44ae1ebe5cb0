"""Start the action server: warm the glossary, then run rasa-sdk's endpoint.

``python -m bot.server --port 5055`` takes rasa-sdk's own options. It binds 127.0.0.1 unless
``SANIC_HOST`` says otherwise (rasa-sdk alone binds 0.0.0.0). Loading the glossary's content and
indexes takes a few seconds; doing it here, before the server accepts requests, keeps that wait
off the first patient's first question.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence

log = logging.getLogger("plainrecord.actions")


def warm_glossary() -> float:
    """Build the glossary and its look-up indexes; return the seconds it took."""
    from glossary import get_glossary

    started = time.perf_counter()
    glossary = get_glossary()
    glossary.lookup("eGFR")
    glossary.explain_text("O/E BP 150/95")
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    """Parse rasa-sdk's arguments, warm up, and serve."""
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    args = create_argument_parser().parse_args(argv)
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    seconds = warm_glossary()
    log.info("glossary ready in %.1f s", seconds)
    main_from_args(args)


if __name__ == "__main__":
    main(sys.argv[1:])

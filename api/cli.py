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
    run = sub.add_parser("run", help="start Rasa, the action server and the API (Ctrl-C stops all)")
    run.set_defaults(func=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from api.settings import get_settings
    from api.stack import Stack, StackConfig, StackError

    settings = get_settings()
    cfg = StackConfig(host=settings.api_host, api_port=settings.api_port,
                      rasa_port=settings.rasa_port, action_port=settings.action_port,
                      redis_url=settings.redis_url)
    stack = Stack(cfg)
    print("Starting the action server, Rasa and the API (Rasa takes about 20 seconds)...")
    try:
        stack.start()
    except StackError as exc:
        print(f"Could not start: {exc}", file=sys.stderr)
        return 1
    print(f"\nplainrecord is running. Open the portal: {cfg.url(cfg.api_port)}/")
    print(f"Receptionist dashboard: {cfg.url(cfg.api_port)}/dashboard")
    print(_demo_logins())
    print("Logs are in var/log/. Press Ctrl-C to stop everything.")
    stopped = threading.Event()
    # Handle Ctrl-C, kill and a closed terminal alike (a shell may start us with SIGINT ignored).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopped.set())
    while not stopped.wait(1.0):
        dead = [name for name, proc in stack.procs.items() if proc.poll() is not None]
        if dead:
            print(f"{', '.join(dead)} stopped unexpectedly; see var/log/", file=sys.stderr)
            break
    print("\nStopping...")
    stack.stop()
    print("Stopped.")
    return 0


def _demo_logins() -> str:
    from api.records.demo import DEMO_USERS

    lines = ["Demo logins (demo mode only):"]
    lines += [f"  {u.username:<12} {u.password:<18} {u.description}" for u in DEMO_USERS]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command and return its exit status."""
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())

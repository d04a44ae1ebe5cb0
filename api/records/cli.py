"""Command-line sub-commands for this area (placeholder)."""

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this area's sub-commands."""

"""Command-line sub-commands for the glossary (placeholder)."""

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the glossary's sub-commands."""

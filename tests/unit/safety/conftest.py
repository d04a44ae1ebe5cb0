"""Shared fixtures: the screen is built once per test session (it takes about a second)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from api.safety.screen import RedFlagScreen

PHRASINGS = Path(__file__).with_name("phrasings.yaml")


@pytest.fixture(scope="session")
def screen() -> RedFlagScreen:
    return RedFlagScreen.load()


def load_phrasings() -> dict[str, Any]:
    """The test phrasings table: ``red_flag`` by category, ``clear`` by reason."""
    return yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))


def positives() -> list[tuple[str, str]]:
    table = load_phrasings()
    return [(category, text) for category, texts in table["red_flag"].items() for text in texts]


def negatives() -> list[tuple[str, str]]:
    table = load_phrasings()
    return [(why, text) for why, texts in table["clear"].items() for text in texts]

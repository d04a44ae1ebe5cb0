"""Every fixed reply the assistant sends is short and easy to read (NHS content guidance:
reading age 9-11, so Flesch-Kincaid grade 7 or below, and one chat bubble: 320 characters)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
import yaml

ROOT = Path(__file__).resolve().parents[2]
MAX_GRADE = 7.0
MAX_CHARS = 320


def domain_texts() -> list[tuple[str, str]]:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    return [(name, variant["text"]) for name, variants in domain["responses"].items()
            for variant in variants if variant.get("text")]


def fixed_action_texts() -> list[tuple[str, str]]:
    """Sentences the actions build around record data (placeholders filled with typical words)."""
    from bot.actions.escalation_status import STATUS_WORDS
    from bot.actions.formatting import DIRECTION_WORDS

    texts = [(f"direction:{k}", v) for k, v in DIRECTION_WORDS.items()]
    texts += [(f"status:{k}", f"Your message of 3 May 2026 is {v}.")
              for k, v in STATUS_WORDS.items()]
    return texts


def filled(text: str) -> str:
    return re.sub(r"\{whose\}", "your", re.sub(r"\{reference\}", "PR-1234", text))


@pytest.mark.parametrize(("name", "text"), domain_texts() + fixed_action_texts())
def test_reply_is_short_and_plain(name: str, text: str) -> None:
    text = filled(text)
    assert len(text) <= MAX_CHARS, name
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, (name, grade, text)


def test_buttons_are_short() -> None:
    domain = yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons") or []:
                assert len(button["title"]) <= 40, (name, button)
                assert button["payload"].startswith("/"), (name, button)

"""The normaliser: text-speak and one-letter slips are corrected; real words and short ones not."""

from __future__ import annotations

import pytest

from api.safety.screen import RedFlagScreen


def words(screen: RedFlagScreen, text: str) -> list[str]:
    return screen._normaliser.words(screen._nlp.make_doc(text)).words


@pytest.mark.parametrize(("text", "expected"), [
    ("cnt brethe", ["can", "not", "breathe"]),
    ("can't breathe", ["can", "not", "breathe"]),
    ("cannot breathe", ["can", "not", "breathe"]),
    ("chst pain", ["chest", "pain"]),
    ("suicidel", ["suicidal"]),
    ("kms", ["kill", "myself"]),
    ("wanna die", ["want", "to", "die"]),
    ("siezure", ["seizure"]),  # a swapped pair of letters is one edit
    ("unconcious", ["unconscious"]),
    ("non-blanching", ["non", "blanching"]),
    ("paaaain", ["pain"]),
])
def test_corrections(screen: RedFlagScreen, text: str, expected: list[str]) -> None:
    assert words(screen, text) == expected


@pytest.mark.parametrize("word", [
    "arm", "leg", "cut", "fit",   # short: never corrected
    "heat", "stoke", "shaving",   # real words listed as never_fuzz, or exclusion words
    "because", "would",           # stop words
    "xylophone",                  # nothing close enough
    "cheese",                     # two edits from "chest": too far for a 6-letter word
])
def test_words_left_alone(screen: RedFlagScreen, word: str) -> None:
    assert words(screen, word) == [word]


def test_a_line_break_ends_a_sentence(screen: RedFlagScreen) -> None:
    assert words(screen, "chest\n\npain") == ["chest", ".", "pain"]

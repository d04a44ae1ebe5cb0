"""SMS helpers: numbers, dates of birth as people text them, and splitting long replies."""

from __future__ import annotations

from datetime import date

import pytest

from api.chat.sms import normalise_uk_mobile, parse_dob, split_for_sms


@pytest.mark.parametrize("raw", ["07700 900123", "+44 7700 900123", "447700900123", "0044 7700-900-123"])
def test_uk_mobiles_normalise_to_one_form(raw: str) -> None:
    assert normalise_uk_mobile(raw) == "+447700900123"


@pytest.mark.parametrize(("text", "expected"), [
    ("21/03/1966", date(1966, 3, 21)), ("21-3-66", date(1966, 3, 21)), ("21.03.1966", date(1966, 3, 21)),
    ("21 March 1966", date(1966, 3, 21)), ("21 mar 1966", date(1966, 3, 21)), ("1966-03-21", date(1966, 3, 21)),
    ("1/2/05", date(2005, 2, 1)),
])
def test_dates_of_birth_as_texted(text: str, expected: date) -> None:
    assert parse_dob(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "31/02/1966", "21/13/1966", "what is my cholesterol"])
def test_not_a_date(text: str) -> None:
    assert parse_dob(text) is None


def test_long_replies_split_at_sentences_within_the_limit() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    parts = split_for_sms(text)
    assert all(len(p) <= 320 for p in parts)
    assert " ".join(parts) == text


def test_a_single_long_sentence_is_split_at_words() -> None:
    text = "word " * 200
    parts = split_for_sms(text)
    assert all(0 < len(p) <= 320 for p in parts)
    assert " ".join(parts).split() == text.split()

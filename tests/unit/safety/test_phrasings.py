"""The phrasings table: every positive is flagged (recall 100%), few negatives are."""

from __future__ import annotations

from api.safety.rules import load_rules
from api.safety.screen import FLAG, RedFlagScreen

from .conftest import negatives, positives

MAX_FALSE_ALARM_RATE = 0.10
"""The screen leans towards flagging; more than this many false alarms would wear people out."""


def test_the_table_is_big_enough_and_covers_every_category() -> None:
    pos, neg = positives(), negatives()
    assert len(pos) + len(neg) >= 150
    covered = {category for category, _ in pos}
    assert covered == {category.id for category in load_rules().categories}
    for category in covered:
        assert sum(1 for c, _ in pos if c == category) >= 5, category
    assert {why for why, _ in neg} >= {"negated", "history", "record_question", "everyday"}


def test_recall_on_positives_is_100_percent(screen: RedFlagScreen) -> None:
    missed = []
    for category, text in positives():
        result = screen.check(text)
        flagged = {m.category for m in result.matches if m.status == FLAG}
        if not result.red_flag or category not in flagged:
            missed.append((category, text, result.reason))
    total = len(positives())
    print(f"\nrecall: {total - len(missed)}/{total} = {(total - len(missed)) / total:.1%}")
    assert missed == []


def test_false_alarm_rate_on_negatives_is_low(screen: RedFlagScreen) -> None:
    alarms = [(why, text, screen.check(text).reason) for why, text in negatives()
              if screen.check(text).red_flag]
    total = len(negatives())
    rate = len(alarms) / total
    print(f"\nfalse alarms: {len(alarms)}/{total} = {rate:.1%}")
    for why, text, reason in alarms:
        print(f"  [{why}] {text!r} -> {reason}")
    assert rate <= MAX_FALSE_ALARM_RATE


def test_every_flag_comes_with_signposting_and_every_clear_without(
    screen: RedFlagScreen,
) -> None:
    for _, text in positives():
        result = screen.check(text)
        assert result.signposting and result.category and result.phrase
    for _, text in negatives():
        result = screen.check(text)
        if not result.red_flag:
            assert result.signposting == [] and result.category is None and result.phrase is None

"""The red-flag data file: every entry is complete, sourced, readable and compiles."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import textstat
import yaml

from api.safety.rules import (
    DATA_FILE,
    DATA_PACKAGE,
    REVIEW_STATUSES,
    RulesError,
    load_rules,
    parse_rules,
)
from api.safety.screen import RedFlagScreen

SMS_LIMIT = 320
MAX_GRADE = 7.0
EMERGENCY_CATEGORIES = {"child", "collapse", "breathing", "anaphylaxis", "chest_pain", "stroke",
                        "bleeding", "sepsis", "meningitis", "pregnancy"}
REQUIRED_CATEGORIES = EMERGENCY_CATEGORIES | {"suicide", "safeguarding"}


def raw_data() -> dict[str, Any]:
    from importlib import resources

    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def test_the_file_has_every_required_category() -> None:
    assert {c.id for c in load_rules().categories} == REQUIRED_CATEGORIES


def test_every_category_names_its_source_and_review_status() -> None:
    rules = load_rules()
    assert rules.review.status in REVIEW_STATUSES
    for category in rules.categories:
        assert category.sources and all(s.strip() for s in category.sources), category.id
        assert category.review.status in REVIEW_STATUSES, category.id
        assert category.label, category.id
        assert category.phrases or category.patterns, category.id


@pytest.mark.parametrize("key", sorted(load_rules().messages))
def test_every_signposting_message_fits_an_sms_and_reads_at_grade_7(key: str) -> None:
    message = load_rules().messages[key]
    assert len(message.text) <= SMS_LIMIT
    assert textstat.flesch_kincaid_grade(message.text) <= MAX_GRADE
    assert message.source


def test_every_message_is_used_by_a_category() -> None:
    rules = load_rules()
    used = {key for category in rules.categories for key in category.signposting}
    assert used == set(rules.messages)


def test_emergencies_say_999_first_and_mention_111() -> None:
    rules = load_rules()
    for category_id in EMERGENCY_CATEGORIES:
        lines = [rules.messages[k].text for k in rules.category(category_id).signposting]
        assert "999" in lines[0], category_id
        assert any("111" in line for line in lines), category_id


def test_suicide_and_safeguarding_signposting() -> None:
    rules = load_rules()
    suicide = " ".join(rules.messages[k].text for k in rules.category("suicide").signposting)
    assert "Samaritans" in suicide and "116 123" in suicide and "option 2" in suicide
    assert not rules.category("suicide").history_clears
    safeguarding = [rules.messages[k].text for k in rules.category("safeguarding").signposting]
    assert "999" in safeguarding[0] and "danger" in safeguarding[0]
    assert any("practice" in line for line in safeguarding)


def test_phrases_are_not_repeated_within_a_category() -> None:
    for category in load_rules().categories:
        for entries in (category.phrases, category.patterns, category.exclusions):
            assert len(entries) == len(set(entries)), category.id


def test_spelling_map_keys_are_single_lower_case_tokens() -> None:
    for key in load_rules().spelling:
        assert key == key.lower() and " " not in key


# -- malformed files are refused, with the entry named ------------------------------------------


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw_data())
    change(data)
    return data


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d["categories"][0].update(sources=[]), "source"),
    (lambda d: d["categories"][0].update(signposting=["no_such_message"]), "no_such_message"),
    (lambda d: d["categories"][0]["review"].update(status="approved-ish"), "review status"),
    (lambda d: d["categories"][0]["review"].update(status="reviewed"), "reviewer"),
    (lambda d: d["categories"][0].update(phrases=[], patterns=[]), "no phrases"),
    (lambda d: d["categories"][0]["clears"].pop("history"), "clears.history"),
    (lambda d: d["categories"].append(copy.deepcopy(d["categories"][0])), "unique"),
    (lambda d: d["context"].pop("negation_cues"), "negation_cues"),
])
def test_a_malformed_file_is_refused(change: Any, words: str) -> None:
    with pytest.raises(RulesError, match=words):
        parse_rules(broken(change))


@pytest.mark.parametrize(("pattern", "words"), [
    ("<0-3> pain", "bad gap"),
    ("chest <0-99> pain", "bad gap"),
    ("chest <0-2>", "bad gap"),
    ("can't breathe", "not one token"),
    ("@nosuchset pain", "unknown word set"),
    ("chest||pain", "empty alternative"),
    ("chest? pain?", "required word"),
])
def test_a_bad_pattern_is_refused_at_load(tmp_path: Path, pattern: str, words: str) -> None:
    data = raw_data()
    data["categories"][0]["patterns"] = [pattern]
    path = tmp_path / "redflags.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(RulesError, match=words):
        RedFlagScreen.load(path)


def test_a_draft_file_can_be_screened_with(tmp_path: Path) -> None:
    data = raw_data()
    data["categories"][0]["phrases"].append("zebra crossing")
    path = tmp_path / "redflags.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert RedFlagScreen.load(path).check("there is a zebra crossing").category == "child"

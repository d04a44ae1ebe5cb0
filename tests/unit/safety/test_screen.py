"""Behaviour of ``RedFlagScreen.check``: context, signposting, long and odd input, privacy."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.safety.screen import (
    EXCLUDED,
    FLAG,
    HISTORY,
    NEGATED,
    RECORD_QUESTION,
    RedFlagScreen,
    ScreenResult,
)


def statuses(result: ScreenResult) -> set[str]:
    return {m.status for m in result.matches}


# -- the contract ---------------------------------------------------------------------------------


def test_a_red_flag_has_category_phrase_and_signposting(screen: RedFlagScreen) -> None:
    result = screen.check("I've got crushing chest pain")
    assert result.red_flag is True
    assert result.category == "chest_pain"
    assert result.phrase == "crushing chest pain"
    assert result.signposting[0].startswith("Chest pain")
    assert "999" in result.signposting[0]
    assert any("111" in line for line in result.signposting)


def test_a_clear_message_has_nothing(screen: RedFlagScreen) -> None:
    result = screen.check("when is my next flu jab?")
    assert (result.red_flag, result.category, result.phrase, result.signposting) == (
        False, None, None, [])
    assert result.reason == "no match"


def test_phrase_is_the_patients_own_words(screen: RedFlagScreen) -> None:
    result = screen.check("pls help cnt brethe!!")
    assert result.category == "breathing"
    assert result.phrase == "cnt brethe"


# -- spelling -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "category"), [
    ("chst pain", "chest_pain"), ("cant breath", "breathing"), ("cnt brethe", "breathing"),
    ("hart attack", "chest_pain"), ("suicidel", "suicide"), ("wanna die", "suicide"),
    ("kms", "suicide"), ("CHEST PAIN", "chest_pain"), ("chest paaaain", "chest_pain"),
    ("ch\u200best pain", "chest_pain"), ("unconcious", "collapse"), ("siezure", "collapse"),
    ("my mum\u2019s face has dropped", "stroke"),
])
def test_typos_and_text_speak_are_caught(screen: RedFlagScreen, text: str, category: str) -> None:
    assert screen.check(text).category == category


@pytest.mark.parametrize("text", [
    "I live in Stoke", "it's the heat", "I heard my heart", "can I pay for the paint",
])
def test_real_words_are_not_corrected_into_red_flags(screen: RedFlagScreen, text: str) -> None:
    assert not screen.check(text).red_flag


# -- context ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "I don't have chest pain", "no chest pain now", "I haven't had any chest pain",
    "no cough or chest pain", "my face is not drooping",
])
def test_negation_clears(screen: RedFlagScreen, text: str) -> None:
    result = screen.check(text)
    assert not result.red_flag and NEGATED in statuses(result)


@pytest.mark.parametrize("text", [
    "I don't know if it's chest pain", "not sure if my face is drooping",
    "no, I have chest pain", "I don't have a cough but I have chest pain",
    "I can't breathe",  # the negation is part of the phrase
    "my son has a stiff neck and can't stand bright lights",
])
def test_unsure_or_unrelated_negation_stays_a_red_flag(
    screen: RedFlagScreen, text: str
) -> None:
    assert screen.check(text).red_flag


@pytest.mark.parametrize("text", [
    "my dad had a stroke in 2010", "I had a heart attack 5 years ago",
    "In 2010, my dad had a stroke", "family history of heart attack",
    "I had meningitis as a baby",
])
def test_history_clears(screen: RedFlagScreen, text: str) -> None:
    result = screen.check(text)
    assert not result.red_flag and HISTORY in statuses(result)


@pytest.mark.parametrize("text", [
    "chest pain since this morning and I had a heart attack in 2015",
    "I had a stroke in 2010 and it's happening again",
    "My chest pain from 2 years ago is back",
    "it says stroke on my record but I think I'm having one now",
    "I had a heart attack in 2015, and now I have the same pain in my chest",
    "my 80 year old mum is unconscious",
    "my chest pain started 2 hours ago",
])
def test_history_does_not_hide_what_is_happening_now(screen: RedFlagScreen, text: str) -> None:
    assert screen.check(text).red_flag


@pytest.mark.parametrize("text", [
    "I've been thinking of ending it", "I had suicidal thoughts years ago and they're back",
    "I tried to kill myself in 2015", "I was abused as a child",
    "I'm not going to kill myself", "I'm not suicidal",
])
def test_history_never_clears_suicidal_thoughts_or_abuse_nor_negation_suicide(
    screen: RedFlagScreen, text: str
) -> None:
    assert screen.check(text).red_flag


@pytest.mark.parametrize("text", [
    "what does 'chest pain' on my 2019 record mean",
    "what is a stroke?",
    'what does "mottled skin" mean',
    "my record says heart attack, what does that mean?",
])
def test_questions_about_the_record_text_clear(screen: RedFlagScreen, text: str) -> None:
    result = screen.check(text)
    assert not result.red_flag
    assert statuses(result) & {RECORD_QUESTION, HISTORY}


def test_a_record_question_with_an_emergency_now_is_a_red_flag(screen: RedFlagScreen) -> None:
    assert screen.check("my record says stroke but now my face is drooping").red_flag
    assert screen.check("what does 'chest pain' mean, I have it right now").red_flag


@pytest.mark.parametrize(("text", "category"), [
    ("my husband's face has dropped", "stroke"),
    ("my baby won't wake up", "child"),
    ("my mum is unconscious", "collapse"),
    ("my son said he wants to kill himself", "suicide"),
])
def test_an_emergency_happening_to_someone_else_is_a_red_flag(
    screen: RedFlagScreen, text: str, category: str
) -> None:
    assert screen.check(text).category == category


@pytest.mark.parametrize("text", [
    "I want to die it is too much", "I want to die, my hair is the least of it",
    "my son won't wake up in the morning and he is cold", "my arm is numb and I can't lift it",
    "I'm on the app because I can't breathe", "can you add to my notes that I have chest pain",
])
def test_exclusions_and_record_cues_do_not_swallow_an_emergency(
    screen: RedFlagScreen, text: str
) -> None:
    assert screen.check(text).red_flag


def test_exclusions_drop_everyday_uses(screen: RedFlagScreen) -> None:
    result = screen.check("what does collapsed lung mean")
    assert not result.red_flag
    result = screen.check("I cut myself shaving")
    assert not result.red_flag and EXCLUDED in statuses(result)


# -- signposting ---------------------------------------------------------------------------------


def test_suicidal_thoughts_get_samaritans_and_111_option_2(screen: RedFlagScreen) -> None:
    text = " ".join(screen.check("I want to end my life").signposting)
    assert "999" in text and "116 123" in text and "Samaritans" in text
    assert "111" in text and "option 2" in text


def test_safeguarding_gets_999_first_and_the_practice(screen: RedFlagScreen) -> None:
    lines = screen.check("my husband hits me").signposting
    assert "999" in lines[0] and "danger" in lines[0]
    assert any("practice" in line for line in lines[1:])


def test_several_categories_send_every_signposting_once_highest_priority_first(
    screen: RedFlagScreen,
) -> None:
    result = screen.check("I have chest pain and I want to die")
    assert result.category == "chest_pain"
    assert {m.category for m in result.matches if m.status == FLAG} == {"chest_pain", "suicide"}
    assert "999" in result.signposting[0]
    assert any("116 123" in line for line in result.signposting)
    assert len(result.signposting) == len(set(result.signposting))


# -- long and odd input ----------------------------------------------------------------------------


FILLER = "I would like to ask about my repeat prescription and my last blood test results. "


def test_a_100_kb_message_is_screened_to_the_end(screen: RedFlagScreen) -> None:
    text = FILLER * (100_000 // len(FILLER) + 1) + "Also my baby won't wake up."
    assert len(text) > 100_000
    started = time.perf_counter()
    result = screen.check(text)
    assert time.perf_counter() - started < 10
    assert result.red_flag and result.category == "child" and not result.truncated
    assert result.matches[0].start > 99_000


def test_a_phrase_across_a_chunk_boundary_is_found(screen: RedFlagScreen) -> None:
    small = RedFlagScreen(screen.rules, chunk_chars=200, overlap_chars=60)
    for padding in range(150, 230, 7):
        text = "x" * padding + " my chest pain is bad " + "y " * 100
        result = small.check(text)
        assert result.red_flag, padding
        assert text[result.matches[0].start:result.matches[0].end] == "chest pain"


def test_text_past_the_bound_is_not_screened_and_says_so(screen: RedFlagScreen) -> None:
    bounded = RedFlagScreen(screen.rules, max_chars=1_000)
    result = bounded.check(FILLER * 20 + "chest pain")
    assert result.truncated and not result.red_flag
    assert "1000" in result.reason


@pytest.mark.parametrize("text", [
    "", " ", "\n\n\n", "?!?!", "\x00\x01", "a" * 100_000, "🙂" * 5_000, "'" * 1000,
    "chest\n\npain", "- - -", "<0-3>", "@child", "1/1/2020", "12345678901234567890",
])
def test_odd_input_never_crashes(screen: RedFlagScreen, text: str) -> None:
    assert isinstance(screen.check(text).red_flag, bool)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_gives_a_verdict(screen: RedFlagScreen, text: str) -> None:
    result = screen.check(text)
    assert result.red_flag == bool(result.signposting)
    for match in result.matches:
        assert 0 <= match.start < match.end


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200), st.text(max_size=200))
def test_a_red_flag_stays_a_red_flag_whatever_follows_it_in_another_sentence(
    screen: RedFlagScreen, before: str, after: str
) -> None:
    assert screen.check(f"{before}\nMy baby is floppy and won't wake up.\n{after}").red_flag


def test_the_same_text_gives_the_same_verdict(screen: RedFlagScreen) -> None:
    texts = ["I have chest pain", "my dad had a stroke in 2010", "kms"]
    assert [screen.check(t) for t in texts] == [screen.check(t) for t in texts]


# -- privacy and start-up ---------------------------------------------------------------------------


def test_repr_and_logs_carry_no_patient_text(
    screen: RedFlagScreen, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my husband Bartholomew hits me"
    with caplog.at_level(logging.DEBUG):
        result = screen.check(secret)
    assert result.red_flag
    assert "Bartholomew" not in repr(result)
    assert "Bartholomew" not in caplog.text and "hits me" not in caplog.text
    assert "Bartholomew" not in result.reason


def test_importing_the_package_builds_nothing() -> None:
    code = ("import sys, api.safety, api.safety.screen, api.safety.cli;"
            "assert 'spacy' not in sys.modules, 'spaCy was imported at import time'")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the sentence prefilter finds exactly what the full Matcher finds -------------------------------


def test_skipping_sentences_without_anchor_words_loses_no_match(screen: RedFlagScreen) -> None:
    from .conftest import negatives, positives

    texts = [text for _, text in positives() + negatives()]
    texts.append(" ".join(texts))
    for text in texts:
        words = screen._normaliser.words(screen._nlp.make_doc(text)).words
        if not words:
            continue
        ndoc = screen._doc(words, sentences=True)
        full = sorted(screen._matcher(ndoc))
        filtered = sorted(
            (match_id, a + s, a + e)
            for a, b in screen._candidate_sentences(words)
            for match_id, s, e in screen._matcher(ndoc[a:b])
        )
        assert filtered == full, text


def test_no_pattern_names_a_sentence_break(screen: RedFlagScreen) -> None:
    for category in screen.rules.categories:
        for pattern in category.patterns + category.exclusions:
            assert not set(pattern.split()) & screen._gap_breaks, pattern

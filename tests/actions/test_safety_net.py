"""The clinical-question safety net: fires on clinical questions the NLU may misfile, never on
the ordinary explanation requests in the training and test data."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.actions.medicines import ActionMedicineDetail
from bot.actions.safety_net import looks_clinical
from tests.actions.conftest import Conversation

BOT = Path(__file__).resolve().parents[2] / "bot"
EXPLAINING = {"my_results", "result_detail", "result_trend", "my_medicines", "medicine_detail",
              "record_summary", "explain_term"}


def examples_of(intents: set[str]) -> list[str]:
    found = []
    for path in [*sorted((BOT / "data" / "nlu").glob("*.yml")), BOT / "tests" / "nlu_test.yml"]:
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if item.get("intent") in intents:
                found += [re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", line[2:])
                          for line in item["examples"].splitlines() if line.startswith("- ")]
    return found


@pytest.mark.parametrize("text", [
    "should i stop my statin", "Should I stop taking my statin?", "is 7.2 bad",
    "is my cholesterol too high for me", "do i need more tests", "can i stop my tablets",
    "what should i do about my high cholesterol", "am i going to be ok", "will i need insulin",
    "is my egfr of 55 serious", "can i drink alcohol on metformin", "have i got kidney disease",
    "is it safe to take ibuprofen with ramipril?", "what's the metformin for, should i keep it",
])
def test_fires_on_clinical_questions(text: str) -> None:
    assert looks_clinical(text)


def test_never_fires_on_explanation_requests() -> None:
    fired = [t for t in examples_of(EXPLAINING) if looks_clinical(t)]
    assert fired == []


def test_catches_most_clinical_examples() -> None:
    clinical = examples_of({"clinical_question"})
    caught = [t for t in clinical if looks_clinical(t)]
    assert len(caught) / len(clinical) >= 0.9, sorted(set(clinical) - set(caught))


def test_a_misfiled_clinical_question_is_not_answered(
        conversation: Callable[..., Conversation]) -> None:
    chat = conversation("david")
    turn = chat.run(ActionMedicineDetail(), "should i stop my atorvastatin", "medicine_detail",
                    [{"entity": "medicine", "value": "atorvastatin"}])
    assert turn.responses == ["utter_clinical_not_answered", "utter_offer_send_question"]
    assert "cholesterol" not in turn.texts.lower()
    assert chat.slots["pending_offer"] == "clinical"


def test_is_it_too_high_for_me_is_not_explained(conversation: Callable[..., Conversation]) -> None:
    from bot.actions.results import ActionResultWhyAbnormal

    turn = conversation("david").run(ActionResultWhyAbnormal(),
                                     "is my cholesterol too high for me", "result_why_abnormal",
                                     [{"entity": "test_name", "value": "cholesterol"}])
    assert turn.responses == ["utter_clinical_not_answered", "utter_offer_send_question"]

"""Low NLU confidence: first ask the patient to rephrase (with suggestions); the second time in
a row, offer to send the question to the practice (``affirm`` then escalates, reason
``unresolved``)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Events


def unanswered_messages(tracker: Tracker) -> list[str]:
    """The patient's latest run of messages the NLU did not understand, oldest first."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent != "nlu_fallback":
            break
        texts.append(str(event.get("text") or ""))
    return list(reversed(texts))


class ActionHandleFallback(Action):
    """Rephrase first; offer a person the second time."""

    def name(self) -> str:
        return "action_handle_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        """Count the misunderstood messages in a row and answer accordingly."""
        missed = unanswered_messages(tracker)
        if len(missed) < 2:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        dispatcher.utter_message(response="utter_offer_send_unresolved")
        return [SlotSet("pending_offer", "unresolved"),
                SlotSet("pending_words", "\n".join(t for t in missed if t)),
                SlotSet("pending_urgency", "routine")]

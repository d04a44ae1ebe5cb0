"""Questions about access to the record: answered from reviewed responses in the domain.

The topic is picked from the patient's words, in a fixed order (the first match wins); when
none matches, the patient is told which topics there are.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Events

TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("utter_faq_messages", re.compile(r"\b(messages?|chat|conversation|write here|send here)\b")),
    ("utter_faq_proxy", re.compile(
        r"\b(proxy|carer|caring|on behalf|mum'?s|dad'?s|mother|father|child'?s|son'?s|"
        r"daughter'?s|husband|wife|partner|family)\b")),
    ("utter_faq_hidden", re.compile(
        r"\b(hidden|hide|missing|can'?t see|cannot see|not showing|delay\w*|take time|yet|"
        r"only see some)\b")),
    ("utter_faq_correction", re.compile(r"\b(correct\w*|mistake|changed?|wrong|fix)\b")),
    ("utter_faq_who_can_see", re.compile(
        r"\b(who|employer|private|shared?|sharing|anyone|hospital see)\b")),
    ("utter_faq_online_access", re.compile(
        r"\b(online|nhs app|app|full record|whole record|full access|detailed|coded|download|"
        r"copy|subject access)\b")),
)


def faq_response(text: str) -> str:
    """The reviewed response that answers ``text``."""
    lowered = text.lower()
    for response, pattern in TOPICS:
        if pattern.search(lowered):
            return response
    return "utter_faq_general"


class ActionAnswerFaq(Action):
    """Answers with one reviewed FAQ response. It reads no record, so needs no grant."""

    def name(self) -> str:
        return "action_answer_faq"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        """Pick the topic from the words and answer."""
        dispatcher.utter_message(response=faq_response(
            (tracker.latest_message or {}).get("text") or ""))
        return []

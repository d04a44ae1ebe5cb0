"""'What does HbA1c mean?': a word or abbreviation from the record, explained by the glossary."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Events, ask_feedback, channel_of, support_sensitive
from bot.actions.formatting import short
from bot.actions.safety_net import clinical_guard

# Question words stripped before looking up a message with no recognised term in it.
_QUESTION = re.compile(
    r"\b(what|whats|what's|wot|does|do|is|are|an?|the|mean|means|meaning|stand|stands|for|on|my|"
    r"record|notes|it|says?|that|explain|please|pls|word|abbreviation|by|in|of|this)\b|[?!.,]",
    re.IGNORECASE)


def candidate(text: str) -> str:
    """What is left of a message once the question words are gone ('HbA1c')."""
    return " ".join(_QUESTION.sub(" ", text).split())


class ActionExplainTerm(Action):
    """Explains a term. It reads no record, so it needs no grant: the glossary is public text."""

    def name(self) -> str:
        return "action_explain_term"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, object]
    ) -> Events:
        """Look the term up and explain it, with support when the entry is sensitive."""
        from glossary import get_glossary

        guarded = clinical_guard(dispatcher, tracker)
        if guarded:
            return guarded
        text = (tracker.latest_message or {}).get("text") or ""
        term = next(tracker.get_latest_entity_values("term"), None)
        asked = str(term) if term else candidate(text)
        if not asked or asked.startswith("/"):
            dispatcher.utter_message(response="utter_ask_term")
            return []
        glossary = get_glossary()
        explained = glossary.lookup(asked) or (glossary.lookup(candidate(text)) if term else None)
        if explained is None or explained.provenance == "unknown":
            dispatcher.utter_message(response="utter_term_unknown")
            dispatcher.utter_message(response="utter_offer_send_question")
            return [SlotSet("pending_offer", "clinical"), SlotSet("pending_words", text)]
        dispatcher.utter_message(text=short(f"{explained.title}. {explained.text}"))
        if explained.what_it_can_mean:
            dispatcher.utter_message(text=short(explained.what_it_can_mean))
        events: Events = [SlotSet("last_topic", "term"), SlotSet("term", asked),
                          SlotSet("last_glossary_key", explained.key),
                          SlotSet("last_record_entry", None)]
        if explained.sensitive:
            events += support_sensitive(dispatcher, tracker, explained.what_happens_next)
        ask_feedback(dispatcher, channel_of(tracker))
        return events

"""👍 / 👎 (or 1 / 2 by SMS) after an explanation: stored with the glossary key and the entry,
so the content team can see which explanations do not land."""

from __future__ import annotations

from contextlib import suppress

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction
from bot.actions.record_client import RecordApiError


class ActionRecordFeedback(PatientAction):
    """Records whether the last explanation helped, and thanks (or apologises)."""

    def name(self) -> str:
        return "action_record_feedback"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        helpful = (tracker.latest_message or {}).get("intent", {}).get("name") == \
            "feedback_helpful"
        key = tracker.get_slot("last_glossary_key")
        entry = tracker.get_slot("last_record_entry")
        if not tracker.get_slot("last_topic") and not key and not entry:
            dispatcher.utter_message(response="utter_feedback_nothing")
            return []
        with suppress(RecordApiError):  # feedback is nice to have: the answer still comes
            ctx.client.send_feedback({"helpful": helpful, "glossary_key": key,
                                      "record_entry": entry,
                                      "conversation_id": tracker.sender_id})
        dispatcher.utter_message(
            response="utter_feedback_thanks" if helpful else "utter_feedback_sorry")
        return []

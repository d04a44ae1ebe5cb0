"""'Something on my record is wrong': the form asks which entry and what is wrong; this action
queues it for the practice like an escalation (reason ``record_error``)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction
from bot.actions.escalate import send_to_practice


def report_words(entry: str, what: str) -> str:
    """The patient's report as the practice reads it, in their own words."""
    return f"Which part: {entry.strip()}\nWhat is wrong: {what.strip()}"


class ActionSubmitRecordError(PatientAction):
    """Sends the filled-in report; the practice checks the record and corrects it if needed."""

    def name(self) -> str:
        return "action_submit_record_error"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        words = report_words(str(tracker.get_slot("error_entry") or ""),
                             str(tracker.get_slot("error_what") or ""))
        events = send_to_practice(dispatcher, tracker, ctx, "record_error", "routine", words)
        return [*events, SlotSet("error_entry", None), SlotSet("error_what", None)]

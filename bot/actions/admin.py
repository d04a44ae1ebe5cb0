"""Appointments, repeat prescriptions, fit notes: signposted to the right place, never done here."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Events

ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("utter_admin_fit_note", re.compile(
        r"\b(fit ?note|sick ?note|sign me off|off work|note for work|doctors? note)\b")),
    ("utter_admin_prescription", re.compile(
        r"\b(prescription|repeats?|tablets|pills|meds|medication|inhalers?|pharmacy|run out|"
        r"ran out|order)\b")),
    ("utter_admin_appointment", re.compile(
        r"\b(appointments?|appts?|apts?|book|booking|see (a|the) (doctor|gp|nurse)|visit|"
        r"cancel|reschedule)\b")),
)


def admin_response(text: str) -> str:
    """The signposting response for an admin request."""
    lowered = text.lower()
    for response, pattern in ROUTES:
        if pattern.search(lowered):
            return response
    return "utter_admin_general"


class ActionSignpostAdmin(Action):
    """Says where to go for the request; reads no record."""

    def name(self) -> str:
        return "action_signpost_admin"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        """Signpost by the words used."""
        dispatcher.utter_message(response=admin_response(
            (tracker.latest_message or {}).get("text") or ""))
        return []

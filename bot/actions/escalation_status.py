"""'Any news on my question?': the patient's questions to the practice, and any replies."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction
from bot.actions.formatting import nice_date, short, sort_key

STATUS_WORDS = {
    "new": "waiting to be read",
    "open": "waiting to be read",
    "queued": "waiting to be read",
    "acknowledged": "read, and being looked at",
    "in_progress": "being looked at",
    "assigned": "being looked at",
    "answered": "answered",
    "replied": "answered",
    "resolved": "closed",
    "closed": "closed",
}
SHOWN = 3


def status_line(item: dict[str, Any]) -> str:
    """'Your question of 25 November 2026 (ref PR-1234) is being looked at.'"""
    reference = item.get("reference") or item.get("id")
    when = nice_date(item.get("created_at") or item.get("created"))
    status = str(item.get("status") or "")
    words = STATUS_WORDS.get(status, status.replace("_", " ") or "waiting")
    line = "Your message" + (f" of {when}" if when else "")
    line += f" (ref {reference})" if reference else ""
    # the API's own words for the status when it sends them ("Sent. Not read yet")
    status_text = item.get("status_text")
    line += f": {status_text.rstrip('.')}." if isinstance(status_text, str) and status_text \
        else f" is {words}."
    due = nice_date(item.get("response_due"))
    if due and words == "waiting to be read":
        line += f" The practice aims to reply by {due}."
    return line


def reply_texts(item: dict[str, Any]) -> list[str]:
    """What the practice wrote back, oldest first."""
    replies = item.get("replies") or []
    texts = [r.get("text") or r.get("body") for r in replies if isinstance(r, dict)]
    return [str(t) for t in texts if t]


class ActionEscalationStatus(PatientAction):
    """Shows the newest few questions sent to the practice, with status and replies."""

    def name(self) -> str:
        return "action_escalation_status"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        items = ctx.client.my_escalations()
        if not items:
            dispatcher.utter_message(response="utter_escalation_none")
            return []
        items = sorted(items, key=lambda i: str(i.get("created_at") or sort_key(i)),
                       reverse=True)[:SHOWN]
        for item in items:
            dispatcher.utter_message(text=short(status_line(item)))
            for text in reply_texts(item)[-1:]:
                dispatcher.utter_message(text=short(f"The practice replied: {text}"))
        return []

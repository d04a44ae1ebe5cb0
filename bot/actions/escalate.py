"""Questions the assistant must not answer go to the practice, as escalations.

Clinical questions ("should I stop my statin?") are never answered: they are queued with the
patient's exact words, the conversation so far and the record entries discussed, and the patient
is told what happens next, in the words the API returns. affirm / deny answer whatever the
assistant last offered to send (the ``pending_offer`` slot).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction, channel_of
from bot.actions.formatting import short
from bot.actions.record_client import RecordApiError

TRANSCRIPT_TURNS = 20
# Words that say the patient is worried or it cannot wait long: "soon" rather than "routine".
# (Emergencies never get here: the API's red-flag screen answers them before Rasa.)
_SOON = re.compile(r"\b(worried|worrying|scared|frightened|anxious|panic\w*|getting worse|"
                   r"worse|urgent\w*|asap|soon|quickly|can'?t wait)\b", re.IGNORECASE)


def urgency_for(words: str, flagged: bool = False) -> str:
    """``soon`` when the words sound worried or a flagged result is involved, else ``routine``."""
    return "soon" if flagged or _SOON.search(words or "") else "routine"


def transcript(tracker: Tracker, limit: int = TRANSCRIPT_TURNS) -> list[dict[str, str]]:
    """The conversation so far, as the practice will read it (button payloads left out)."""
    turns = []
    for event in tracker.events:
        text = event.get("text")
        if event.get("event") not in ("user", "bot") or not isinstance(text, str) or not text:
            continue
        if text.startswith("/"):
            continue
        turns.append({"sender": "patient" if event["event"] == "user" else "bot", "text": text})
    return turns[-limit:]


def idempotency_key(tracker: Tracker, reason: str) -> str:
    """Same message, same key: a retried turn never queues the same question twice.

    The portal's own message id (metadata ``message_id``, the same on a retry) wins over Rasa's,
    which is new for every delivery.
    """
    latest = tracker.latest_message or {}
    metadata = latest.get("metadata") if isinstance(latest.get("metadata"), dict) else {}
    message_id = (metadata or {}).get("message_id") or latest.get("message_id")
    if not message_id:
        users = [e for e in tracker.events if e.get("event") == "user"]
        message_id = f"n{len(users)}"
    digest = hashlib.sha256(f"{tracker.sender_id}:{message_id}:{reason}".encode()).hexdigest()
    return digest[:32]


def escalation_body(tracker: Tracker, reason: str, urgency: str, words: str) -> dict[str, Any]:
    """The ``POST /api/escalations`` body (docs/CONTRACTS.md)."""
    entries = tracker.get_slot("discussed_entries") or []
    channel = channel_of(tracker)
    return {
        "reason": reason,
        "urgency": urgency,
        "patient_words": words,
        "transcript": transcript(tracker),
        "entries": [{"section": str(e.get("section", "")), "id": str(e.get("id", "")),
                     "display": str(e.get("display", ""))}
                    for e in entries if isinstance(e, dict)],
        "channel": channel,
        "contact_preference": channel,
        "idempotency_key": idempotency_key(tracker, reason),
    }


def send_to_practice(dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context,
                     reason: str, urgency: str, words: str) -> Events:
    """Queue the escalation and tell the patient what happens next and when (from the API)."""
    try:
        reply = ctx.client.create_escalation(escalation_body(tracker, reason, urgency, words))
    except RecordApiError:
        # Never let the patient think it was sent: say so, and where to go instead.
        dispatcher.utter_message(response="utter_escalation_failed")
        dispatcher.utter_message(response="utter_urgent_reminder")
        return []
    message = reply.get("message_to_patient")
    message = message.strip() if isinstance(message, str) else ""
    if message:
        dispatcher.utter_message(text=short(message))
    if reply.get("reference") and str(reply["reference"]) not in message:
        dispatcher.utter_message(response="utter_escalated_reference",
                                 reference=str(reply["reference"]))
    return [SlotSet("pending_offer", None), SlotSet("pending_words", None),
            SlotSet("pending_urgency", None)]


class ActionEscalateClinical(PatientAction):
    """'Should I stop my statin?': not answered; sent to the practice with the exact words."""

    def name(self) -> str:
        return "action_escalate_clinical"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        words = (tracker.latest_message or {}).get("text") or ""
        dispatcher.utter_message(response="utter_clinical_not_answered")
        return send_to_practice(dispatcher, tracker, ctx, "clinical_question",
                                urgency_for(words), words)


class ActionHandleAffirm(PatientAction):
    """'Yes': sends what was offered (a clinical question, or a message not understood)."""

    def name(self) -> str:
        return "action_handle_affirm"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        offer = tracker.get_slot("pending_offer")
        if offer not in ("clinical", "unresolved"):
            dispatcher.utter_message(response="utter_anything_else")
            return []
        words = tracker.get_slot("pending_words") or (tracker.latest_message or {}).get("text")
        reason = "clinical_question" if offer == "clinical" else "unresolved"
        urgency = tracker.get_slot("pending_urgency") or urgency_for(str(words))
        return send_to_practice(dispatcher, tracker, ctx, reason, str(urgency), str(words or ""))


class ActionHandleDeny(Action):
    """'No': nothing is sent; the offer is dropped."""

    def name(self) -> str:
        return "action_handle_deny"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        """Confirm nothing was sent (when something was offered), and move on."""
        if tracker.get_slot("pending_offer"):
            dispatcher.utter_message(response="utter_not_sent")
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("pending_offer", None), SlotSet("pending_words", None),
                SlotSet("pending_urgency", None)]

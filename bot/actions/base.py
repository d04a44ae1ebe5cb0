"""What every action that reads a record shares: the conversation's grant, a client, kind errors.

rasa-sdk registers every non-abstract ``Action`` subclass it finds, so :class:`PatientAction`
is abstract; each concern (medicines, results...) subclasses it in its own module.
"""

from __future__ import annotations

import hashlib
import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from itsdangerous import URLSafeTimedSerializer
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.formatting import short
from bot.actions.record_client import (
    ApiUnavailable,
    Forbidden,
    GrantRejected,
    NotFound,
    RecordClient,
    http_client,
)
from bot.actions.safety_net import clinical_guard

log = logging.getLogger("plainrecord.actions")

Events = list[dict[str, Any]]


def _metadata(tracker: Tracker) -> dict[str, Any]:
    """The latest message's metadata, else the metadata the session started with."""
    latest = tracker.latest_message or {}
    metadata = latest.get("metadata")
    if isinstance(metadata, dict) and metadata.get("grant"):
        return metadata
    started = tracker.get_slot("session_started_metadata")
    return started if isinstance(started, dict) else {}


def patient_id_from_grant(grant: str) -> str | None:
    """Read the patient id a grant names, without checking its signature.

    The action server does not hold the signing key: the API checks the signature on every
    call and serves only this patient. The id is only used to build the URL.
    """
    _, payload = URLSafeTimedSerializer("unverified").loads_unsafe(grant)
    if isinstance(payload, dict) and payload.get("patient_id"):
        return str(payload["patient_id"])
    return None


@dataclass(frozen=True)
class Context:
    """Who is asking, about whose record, through which channel."""

    client: RecordClient
    channel: str
    proxy: bool
    patient_name: str | None

    @property
    def whose(self) -> str:
        """'your', or the patient's name (or 'their') when a proxy is asking."""
        if not self.proxy:
            return "your"
        return f"{self.patient_name}'s" if self.patient_name else "their"

    @property
    def whose_start(self) -> str:
        """:attr:`whose` with a capital letter, to start a sentence."""
        return self.whose[:1].upper() + self.whose[1:]


def channel_of(tracker: Tracker) -> str:
    """``portal`` or ``sms`` (from the message metadata; portal when unknown)."""
    channel = _metadata(tracker).get("channel")
    return "sms" if channel == "sms" else "portal"


def conversation_context(tracker: Tracker) -> Context | None:
    """The conversation's context, or ``None`` when there is no usable grant."""
    metadata = _metadata(tracker)
    grant = metadata.get("grant")
    if not isinstance(grant, str) or not grant:
        return None
    patient_id = patient_id_from_grant(grant)
    if patient_id is None:
        return None
    name = metadata.get("patient_name")
    return Context(
        client=RecordClient(http=http_client(), grant=grant, patient_id=patient_id),
        channel=channel_of(tracker),
        proxy=bool(metadata.get("proxy")),
        patient_name=name.split()[0] if isinstance(name, str) and name.strip() else None,
    )


def hashed(conversation_id: str) -> str:
    """A short hash of the conversation id, for logs (never the id or any text)."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:12]


def ask_feedback(dispatcher: CollectingDispatcher, channel: str) -> None:
    """Ask whether an explanation was clear: buttons in the portal, 1 or 2 by SMS."""
    dispatcher.utter_message(
        response="utter_ask_feedback_sms" if channel == "sms" else "utter_ask_feedback"
    )


def support_sensitive(dispatcher: CollectingDispatcher, tracker: Tracker,
                      what_happens_next: str | None = None, offer: bool = True) -> Events:
    """For sensitive entries: a supportive sentence, what usually happens next, and an offer to
    send a message to the practice (``affirm`` then sends it).

    Returns:
        The slots that remember the offer (none when ``offer`` is false).
    """
    dispatcher.utter_message(response="utter_sensitive_support")
    if what_happens_next:
        dispatcher.utter_message(text=short(what_happens_next))
    if not offer:
        return []
    dispatcher.utter_message(response="utter_offer_contact_practice")
    return [SlotSet("pending_offer", "clinical"),
            SlotSet("pending_words", (tracker.latest_message or {}).get("text") or ""),
            SlotSet("pending_urgency", "routine")]


class PatientAction(Action, ABC):
    """An action that reads the patient's record through the API.

    Subclasses implement :meth:`respond`. Without a grant, or when the API rejects it, the
    patient gets a kind reply and no data. Actions that explain (``explains = True``) first
    pass the words through the clinical-question safety net (``safety_net``).
    """

    explains = False

    @abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        """Answer the patient, using ``ctx.client`` for the record.

        Returns:
            The events to apply (slots to set).
        """

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        """Resolve the grant, answer, and turn API failures into kind replies."""
        started = time.perf_counter()
        outcome = "answered"
        events: Events = []
        ctx = conversation_context(tracker)
        if ctx is None:
            outcome = "no_grant"
            dispatcher.utter_message(response="utter_no_grant")
        elif self.explains and (guarded := clinical_guard(dispatcher, tracker)):
            outcome = "clinical_guard"
            events = guarded
        else:
            try:
                events = self.respond(dispatcher, tracker, ctx)
            except GrantRejected:
                outcome = "grant_rejected"
                dispatcher.utter_message(response="utter_no_grant")
            except (Forbidden, NotFound):
                outcome = "forbidden"
                dispatcher.utter_message(response="utter_section_hidden", whose=ctx.whose)
            except ApiUnavailable:
                outcome = "api_unavailable"  # the error text holds a patient id: not logged
                dispatcher.utter_message(response="utter_api_down")
        log.info("action=%s conv=%s intent=%s outcome=%s ms=%.1f", self.name(),
                 hashed(tracker.sender_id or ""), (tracker.latest_message or {}).get(
                     "intent", {}).get("name"), outcome, (time.perf_counter() - started) * 1000)
        return events

"""The chat relay: every inbound message is screened for red flags, then relayed to Rasa.

The screen runs here, before the NLU, so no model error can skip it. A red flag gets the
signposting first and an urgent escalation for the practice; it never reaches Rasa.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from api.accounts.grants import ConversationGrant, mint_grant
from api.chat.rasa_client import BotReply, RasaClient, RasaUnavailable

log = logging.getLogger("plainrecord.chat")

RASA_DOWN = (
    "Sorry, the assistant is not working right now. Your message has not been lost: it is still "
    "in the box below, so you can send it again in a few minutes. If it cannot wait, please "
    "call the practice."
)


NO_ANSWER = (
    "Sorry, I could not answer that just now. Your message has not been lost: it is still in "
    "the box below, so you can try again in a few minutes. If it cannot wait, please call the "
    "practice."
)


class Verdict(Protocol):
    """What the red-flag screen says of a message (see ``api.safety``)."""

    @property
    def red_flag(self) -> bool: ...
    @property
    def category(self) -> str | None: ...
    @property
    def signposting(self) -> list[str]: ...


class Screen(Protocol):
    def check(self, text: str) -> Verdict: ...


class MessageRejected(ValueError):
    """The message cannot be relayed (empty or too long); the text says why, kindly."""


@dataclass(frozen=True)
class Speaker:
    """Who is chatting and about whose record (the patient's own, or as their proxy)."""

    user_id: str
    patient_id: str
    proxy: bool = False
    patient_first_name: str | None = None


@dataclass(frozen=True)
class Escalated:
    """What the escalation queue said after storing an escalation."""

    reference: str
    message_to_patient: str


@dataclass
class ChatOutcome:
    """The replies to show, and what happened."""

    replies: list[BotReply]
    delivered: bool = True
    red_flag: bool = False
    category: str | None = None
    escalation: Escalated | None = None
    conversation_id: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)


EscalateFn = Callable[[Speaker, str, str, str, str], Escalated]
"""(speaker, text, category, channel, idempotency_key) -> Escalated; stores before returning."""
TurnFn = Callable[[Speaker, str, str, bool], None]
"""(speaker, conversation_id, outcome, escalated) -> None; records the turn for the metrics."""


class ChatService:
    """Screens, escalates or relays, and returns what to show the patient."""

    def __init__(
        self,
        *,
        secret: str,
        max_chars: int,
        screen: Screen,
        rasa: RasaClient,
        escalate_red_flag: EscalateFn,
        record_turn: TurnFn,
    ) -> None:
        self._secret = secret
        self._max_chars = max_chars
        self._screen = screen
        self._rasa = rasa
        self._escalate = escalate_red_flag
        self._record_turn = record_turn

    def conversation_id(self, speaker: Speaker, channel: str) -> str:
        """A stable, non-identifying conversation id for Rasa's tracker."""
        key = f"{channel}:{speaker.user_id}:{speaker.patient_id}".encode()
        digest = hmac.new(self._secret.encode(), key, hashlib.sha256).hexdigest()[:24]
        return f"{channel}-{digest}"

    def handle(self, speaker: Speaker, text: str, channel: str, message_id: str) -> ChatOutcome:
        """Handle one inbound message.

        Args:
            speaker: the authenticated person and the record they are asking about.
            text: the message as typed.
            channel: ``portal`` or ``sms``.
            message_id: the client's id for this message; a retry reuses it, so a red flag
                escalates once however often the message is re-sent.

        Raises:
            MessageRejected: the message is empty or longer than the service accepts.
        """
        text = text.strip()
        if not text:
            raise MessageRejected("Please type a message first.")
        if len(text) > self._max_chars:
            raise MessageRejected(
                f"That message is too long for me. Please keep it under {self._max_chars} "
                "characters, or split it into parts."
            )
        conversation = self.conversation_id(speaker, channel)
        started = time.perf_counter()
        result = self._screen.check(text)
        screened = time.perf_counter()
        if result.red_flag:
            escalated = self._escalate(
                speaker, text, result.category or "unknown", channel, f"{conversation}:{message_id}"
            )
            replies = [BotReply(text=line) for line in result.signposting]
            replies.append(BotReply(text=escalated.message_to_patient))
            self._record_turn(speaker, conversation, "red_flag", True)
            log.info("turn conv=%s outcome=red_flag category=%s", conversation, result.category)
            return ChatOutcome(replies=replies, red_flag=True, category=result.category,
                               escalation=escalated, conversation_id=conversation)
        grant = mint_grant(
            self._secret,
            ConversationGrant(patient_id=speaker.patient_id, user_id=speaker.user_id,
                              channel=channel, conversation_id=conversation, proxy=speaker.proxy),
        )
        metadata = {"grant": grant, "channel": channel, "proxy": speaker.proxy,
                    "message_id": message_id,
                    "patient_name": speaker.patient_first_name if speaker.proxy else None}
        try:
            replies = self._rasa.send(conversation, text, metadata)
        except RasaUnavailable as exc:
            log.warning("turn conv=%s outcome=rasa_unavailable error=%s", conversation, exc)
            return ChatOutcome(replies=[BotReply(text=RASA_DOWN)], delivered=False,
                               conversation_id=conversation)
        relayed = time.perf_counter()
        if not replies:  # Rasa answered nothing: typically the action server is down
            log.warning("turn conv=%s outcome=no_reply", conversation)
            return ChatOutcome(replies=[BotReply(text=NO_ANSWER)], delivered=False,
                               conversation_id=conversation)
        self._record_turn(speaker, conversation, "answered", False)
        log.info("turn conv=%s outcome=relayed screen_ms=%.2f rasa_ms=%.1f", conversation,
                 (screened - started) * 1000, (relayed - screened) * 1000)
        return ChatOutcome(replies=replies, conversation_id=conversation,
                           timings_ms={"screen": (screened - started) * 1000,
                                       "rasa": (relayed - screened) * 1000})

"""The composition root: every engine, client and matcher is built here, once, on first use.

FastAPI routes get these through ``Depends(get_services)``; tests override ``get_services``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from api.db import Database
from api.settings import Settings, get_settings

if TYPE_CHECKING:
    from api.chat.service import ChatService, Escalated, Speaker
    from api.chat.sms import SmsService
    from api.escalation.service import ResponsePolicy
    from api.live import LiveBus
    from api.safety.screen import RedFlagScreen
    from glossary import Glossary


@dataclass
class Services:
    """What the service needs at run time, each built lazily."""

    settings: Settings
    _db: Database | None = field(default=None, repr=False)

    @property
    def db(self) -> Database:
        if self._db is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._db = Database.from_url(self.settings.effective_database_url)
        return self._db

    @cached_property
    def glossary(self) -> Glossary:
        from glossary import get_glossary

        return get_glossary()

    @cached_property
    def live(self) -> LiveBus:
        """Redis pub/sub for the staff dashboard's live updates (best-effort)."""
        from api.live import LiveBus

        return LiveBus(self.settings.redis_url)

    @cached_property
    def response_policy(self) -> ResponsePolicy:
        """How soon the practice replies, by urgency."""
        from api.escalation.service import ResponsePolicy

        return ResponsePolicy.from_settings(self.settings)


    @cached_property
    def screen(self) -> RedFlagScreen:
        """The red-flag screen (compiling its matchers takes about a second)."""
        from api.safety.screen import RedFlagScreen

        return RedFlagScreen.load()

    @cached_property
    def chat(self) -> ChatService:
        """The chat relay: screen, then escalate or relay to Rasa."""
        from api.chat.rasa_client import RasaClient
        from api.chat.service import ChatService

        return ChatService(
            secret=self.settings.secret_key, max_chars=self.settings.max_message_chars,
            screen=self.screen,
            rasa=RasaClient(self.settings.rasa_url, self.settings.rasa_timeout_seconds),
            escalate_red_flag=self._escalate_red_flag, record_turn=self._record_turn,
        )

    @cached_property
    def sms(self) -> SmsService:
        """The SMS channel: identity check, then the same relay as the portal."""
        from api.chat.sms import SmsService

        return SmsService(db=self.db, chat=self.chat, screen=self.screen,
                          secret=self.settings.secret_key,
                          practice_name=self.settings.practice_name)

    def _escalate_red_flag(self, speaker: Speaker, text: str, category: str, channel: str,
                           key: str) -> Escalated:
        from api.chat.service import Escalated
        from api.escalation.service import escalate_red_flag, message_to_patient

        with self.db.sessions() as session:
            esc = escalate_red_flag(
                session, patient_id=speaker.patient_id, user_id=speaker.user_id or None,
                text=text, channel=channel, idempotency_key=key, category=category,
                contact_preference="phone",  # a red flag: the practice should ring, not write
                policy=self.response_policy, notify=self.live.publish)
            return Escalated(reference=esc.reference,
                             message_to_patient=message_to_patient(esc, self.response_policy))

    def _record_turn(self, speaker: Speaker, conversation_id: str, outcome: str,
                     escalated: bool) -> None:
        from api.escalation.metrics import record_turn

        with self.db.sessions() as session:
            record_turn(session, patient_id=speaker.patient_id, conversation_id=conversation_id,
                        outcome=outcome, escalated=escalated)


@lru_cache(maxsize=1)
def get_services() -> Services:
    """The process's services."""
    return Services(settings=get_settings())

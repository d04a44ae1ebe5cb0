"""The SMS channel: check who is texting before any record detail is sent, then relay.

A number is matched to patients registered for online services; the sender must then reply with
the patient's date of birth. Three wrong answers lock the number for a day. A verified number
stays verified for 30 minutes after its last message. Red flags are screened first, before the
identity check, so a stranger in trouble still gets 999 / 111 advice (but no record detail).
Phone numbers are stored only as keyed hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.chat.rasa_client import BotReply
from api.chat.service import ChatService, MessageRejected, Screen, Speaker
from api.chat.sms_models import SmsSession
from api.db import Database
from api.records.models import Patient

SMS_LIMIT = 320
VERIFIED_FOR = timedelta(minutes=30)
LOCKED_FOR = timedelta(hours=24)
MAX_ATTEMPTS = 3

ASK_DOB = ("To keep your record private, please reply with your date of birth, "
           "like 21/03/1966.")
NOT_LINKED = ("Sorry, this number is not set up to ask about a GP record. Please contact "
              "{practice} to set it up.")
WRONG_DOB = "Sorry, that date of birth does not match. Please try again, like 21/03/1966."
LOCKED = ("Sorry, we could not check who you are, so this number is paused for 24 hours. "
          "Please contact {practice}.")
VERIFIED = "Thank you. What would you like to know about your record?"

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def normalise_uk_mobile(number: str) -> str:
    """``07700 900123``, ``+44 7700 900123`` and ``447700900123`` all become ``+447700900123``."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    return "+44" + digits


def parse_dob(text: str) -> date | None:
    """Read a date of birth as people text it: 21/03/1966, 21-3-66, 21 March 1966, 1966-03-21."""
    text = text.strip().lower()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\- ](\d{1,2}|[a-z]+)[/.\- ,]+(\d{2}|\d{4})", text)
        if not m:
            return None
        d, y = int(m[1]), int(m[3])
        month = m[2]
        mo = int(month) if month.isdigit() else _MONTHS.get(month[:3], 0)
        if y < 100:
            y += 1900 if y > date.today().year % 100 else 2000
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def split_for_sms(text: str, limit: int = SMS_LIMIT) -> list[str]:
    """Split a reply into messages of at most ``limit`` characters, at sentence ends if possible."""
    parts: list[str] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        candidate = f"{current} {sentence}".strip()
        if len(candidate) > limit:
            parts.append(current)
            current = sentence
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


@dataclass(frozen=True)
class SmsReply:
    """What to text back (each at most 320 characters)."""

    messages: list[str]


class SmsService:
    """The identity check and relay for one inbound SMS."""

    def __init__(self, *, db: Database, chat: ChatService, screen: Screen, secret: str,
                 practice_name: str) -> None:
        self._db = db
        self._chat = chat
        self._screen = screen
        self._secret = secret
        self._practice = practice_name

    def phone_hash(self, number: str) -> str:
        """A keyed hash of the normalised number (numbers are never stored in clear)."""
        key = normalise_uk_mobile(number).encode()
        return hmac.new(self._secret.encode(), key, hashlib.sha256).hexdigest()

    def handle(self, number: str, text: str, message_id: str,
               now: datetime | None = None) -> SmsReply:
        """Handle one inbound message and say what to send back."""
        now = now or datetime.now(timezone.utc)
        with self._db.sessions() as session:
            row = session.get(SmsSession, self.phone_hash(number))
            verified = (row is not None and row.state == "verified" and row.verified_at is not None
                        and now - row.last_seen_at <= VERIFIED_FOR)
            if verified and row is not None and row.patient_id and row.user_id:
                reply = self._relay(session, row, text, message_id, now)
                session.commit()
                return reply
            verdict = self._screen.check(text)
            if verdict.red_flag:  # no identity needed for 999 / 111 advice; no record detail
                candidates = self._patients_for(session, number)
                if len(candidates) == 1:  # the practice can phone them back: escalate too
                    patient, user = candidates[0]
                    outcome = self._chat.handle(Speaker(user_id=user.id, patient_id=patient.id),
                                                text, "sms", message_id)
                    return SmsReply(messages=[m for r in outcome.replies
                                              for m in split_for_sms(r.text)])
                return SmsReply(messages=[m for s in verdict.signposting for m in split_for_sms(s)])
            reply = self._identify(session, row, number, text, now)
            session.commit()
            return reply

    def _relay(self, session: Session, row: SmsSession, text: str, message_id: str,
               now: datetime) -> SmsReply:
        row.last_seen_at = now
        choice = row.options.get(text.strip()) if row.options else None
        speaker = Speaker(user_id=row.user_id or "", patient_id=row.patient_id or "")
        try:
            outcome = self._chat.handle(speaker, choice or text, "sms", message_id)
        except MessageRejected as exc:
            return SmsReply(messages=split_for_sms(str(exc)))
        row.options = {}
        messages: list[str] = []
        for reply in outcome.replies:
            messages += split_for_sms(reply.text) if reply.text else []
            if reply.buttons:
                messages.append(self._numbered(row, reply))
        return SmsReply(messages=messages)

    @staticmethod
    def _numbered(row: SmsSession, reply: BotReply) -> str:
        options = {str(i): b["payload"] for i, b in enumerate(reply.buttons, 1)}
        row.options = {**row.options, **options}
        words = ", ".join(f"{i} for {b['title']}" for i, b in enumerate(reply.buttons, 1))
        return split_for_sms(f"Reply {words}.")[0]

    def _identify(self, session: Session, row: SmsSession | None, number: str, text: str,
                  now: datetime) -> SmsReply:
        locked = row is not None and row.state == "locked" and row.locked_until is not None
        if locked and row is not None and row.locked_until and row.locked_until > now:
            return SmsReply(messages=[LOCKED.format(practice=self._practice)])
        candidates = self._patients_for(session, number)
        if not candidates:
            return SmsReply(messages=[NOT_LINKED.format(practice=self._practice)])
        if row is None:
            row = SmsSession(phone_hash=self.phone_hash(number), state="awaiting_dob",
                             failed_attempts=0, last_seen_at=now, options={})
            session.add(row)
            return SmsReply(messages=[ASK_DOB])
        if row.state != "awaiting_dob":  # expired verification or lock: start again
            row.state, row.failed_attempts, row.last_seen_at = "awaiting_dob", 0, now
            return SmsReply(messages=[ASK_DOB])
        row.last_seen_at = now
        dob = parse_dob(text)
        match = next(((p, u) for p, u in candidates
                      if dob is not None and p.birth_date == dob.isoformat()), None)
        if match is None:
            row.failed_attempts += 1
            if row.failed_attempts >= MAX_ATTEMPTS:
                row.state, row.locked_until = "locked", now + LOCKED_FOR
                return SmsReply(messages=[LOCKED.format(practice=self._practice)])
            return SmsReply(messages=[WRONG_DOB if dob else ASK_DOB])
        patient, user = match
        row.state, row.patient_id, row.user_id = "verified", patient.id, user.id
        row.verified_at, row.failed_attempts = now, 0
        return SmsReply(messages=[VERIFIED])

    @staticmethod
    def _patients_for(session: Session, number: str) -> list[tuple[Patient, User]]:
        wanted = normalise_uk_mobile(number)
        rows = session.execute(  # narrow by the last digits, then compare normalised numbers
            select(Patient, User).join(User, User.patient_id == Patient.id)
            .where(User.role == "patient", Patient.mobile.like(f"%{wanted[-6:]}"))
        )
        return [(p, u) for p, u in rows if p.mobile and normalise_uk_mobile(p.mobile) == wanted]

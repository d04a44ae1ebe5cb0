"""The escalation queue's domain logic: create (durably, idempotently), act, list.

Every function takes an SQLAlchemy ``Session``. :func:`create_escalation` commits before it
returns, so the patient is told "sent" only once the escalation is stored. Staff actions follow a
small state machine (:data:`TRANSITIONS`); each one is recorded as an :class:`EscalationEvent`
and commits. Live notification (Redis) is a transport concern: callers may pass ``notify``, which
is called after the commit and whose failures are swallowed, so it can never lose an escalation.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from api.db import utcnow
from api.escalation.models import (
    CHANNELS,
    CONTACT_PREFERENCES,
    REASONS,
    STATUSES,
    URGENCIES,
    Escalation,
    EscalationEvent,
    ExplanationFeedback,
    Reply,
    SmsOutbox,
)

log = logging.getLogger("plainrecord.escalation")

MAX_WORDS_CHARS = 4000
MAX_TRANSCRIPT_TURNS = 200
MAX_REPLY_CHARS = 2000
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U: easy to read out
URGENCY_RANK = {"urgent": 0, "soon": 1, "routine": 2}
OUTCOMES: dict[str, str] = {
    "answered": "Question answered",
    "appointment_booked": "Appointment booked",
    "record_corrected": "Record corrected",
    "phoned_patient": "Phoned the patient",
    "referred_elsewhere": "Sent to another service",
    "no_action_needed": "No action needed",
    "other": "Other",
}
"""Outcome codes a receptionist or clinician picks when resolving (counted in the numbers)."""

Notify = Callable[[Mapping[str, Any]], object]
"""Best-effort live notification, called after a commit with a payload that has no patient text."""


class EscalationError(ValueError):
    """Base class: the message is safe to show to the person who asked."""


class InvalidEscalation(EscalationError):
    """The request to create an escalation is not valid."""


class InvalidTransition(EscalationError):
    """The action is not allowed in the escalation's current status."""


class EscalationNotFound(EscalationError):
    """No escalation with that id (or not one this patient may see)."""


@dataclass(frozen=True)
class ResponsePolicy:
    """How many hours the practice aims to take to reply, by urgency."""

    urgent: int = 2
    soon: int = 24
    routine: int = 72

    @classmethod
    def from_settings(cls, settings: Any) -> ResponsePolicy:
        """Build from :class:`api.settings.Settings` (its ``response_hours_*`` fields)."""
        return cls(
            urgent=settings.response_hours_urgent,
            soon=settings.response_hours_soon,
            routine=settings.response_hours_routine,
        )

    def hours(self, urgency: str) -> int:
        """Hours allowed for this urgency."""
        return int(getattr(self, urgency))


def _default_policy() -> ResponsePolicy:
    from api.settings import get_settings  # lazily: nothing is read at import time

    return ResponsePolicy.from_settings(get_settings())


@dataclass(frozen=True)
class EscalationRequest:
    """What the patient (through the bot, the relay or the portal) asks the practice."""

    patient_id: str
    reason: str
    urgency: str
    patient_words: str
    idempotency_key: str
    transcript: Sequence[Mapping[str, Any]] = ()
    entries: Sequence[Mapping[str, Any]] = ()
    channel: str = "portal"
    contact_preference: str = "portal"
    asked_by: str | None = None  # the user who asked (the patient or a proxy), if known

    def validate(self) -> None:
        """Refuse what cannot be stored sensibly.

        Raises:
            InvalidEscalation: naming the first field that is wrong.
        """
        checks: list[tuple[str, Sequence[str], str]] = [
            ("reason", REASONS, self.reason),
            ("urgency", URGENCIES, self.urgency),
            ("channel", CHANNELS, self.channel),
            ("contact_preference", CONTACT_PREFERENCES, self.contact_preference),
        ]
        for name, allowed, value in checks:
            if value not in allowed:
                raise InvalidEscalation(f"{name} must be one of {', '.join(allowed)}")
        if not self.patient_id:
            raise InvalidEscalation("patient_id is required")
        if not self.patient_words or not self.patient_words.strip():
            raise InvalidEscalation("patient_words must not be empty")
        if len(self.patient_words) > MAX_WORDS_CHARS:
            raise InvalidEscalation(f"patient_words must be at most {MAX_WORDS_CHARS} characters")
        if not self.idempotency_key or len(self.idempotency_key) > 200:
            raise InvalidEscalation("idempotency_key is required (at most 200 characters)")
        if len(self.transcript) > MAX_TRANSCRIPT_TURNS:
            raise InvalidEscalation(f"transcript must have at most {MAX_TRANSCRIPT_TURNS} turns")
        for turn in self.transcript:
            sender, text = turn.get("sender"), turn.get("text")
            if sender not in ("patient", "bot") or not isinstance(text, str):
                raise InvalidEscalation("transcript: each turn needs sender patient|bot and text")
        for entry in self.entries:
            if not isinstance(entry.get("id"), str) or not isinstance(entry.get("section"), str):
                raise InvalidEscalation("entries: each needs a section and an id")


@dataclass(frozen=True)
class Submitted:
    """The stored escalation, and whether this call created it (False for a retry)."""

    escalation: Escalation
    created: bool


def _new_reference() -> str:
    return "PR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def _find_by_key(session: Session, patient_id: str, key: str) -> Escalation | None:
    return session.scalars(
        select(Escalation).where(
            Escalation.patient_id == patient_id, Escalation.idempotency_key == key
        )
    ).first()


def _notify(notify: Notify | None, payload: Mapping[str, Any]) -> None:
    """Call the live notifier; a failure is logged (no patient data) and never raised."""
    if notify is None:
        return
    try:
        notify(payload)
    except Exception as exc:  # live updates are best-effort by design: never raise
        log.warning("live notify failed event=%s error=%s", payload.get("type"), type(exc).__name__)


def _payload(kind: str, esc: Escalation) -> dict[str, Any]:
    """What the dashboards are told: ids and categories only, never the patient's words."""
    return {"type": kind, "id": esc.id, "reference": esc.reference, "urgency": esc.urgency,
            "reason": esc.reason, "status": esc.status}


def submit_escalation(
    session: Session,
    request: EscalationRequest,
    *,
    policy: ResponsePolicy | None = None,
    notify: Notify | None = None,
    now: datetime | None = None,
) -> Submitted:
    """Store an escalation and commit, or return the one already stored under the same key.

    Args:
        session: a session; it is committed (or rolled back on a conflict) here.
        request: the escalation; validated first.
        policy: response hours by urgency (defaults to the settings').
        notify: best-effort live notification, called after the commit.
        now: the time to stamp (tests).

    Returns:
        The stored escalation and whether this call created it.

    Raises:
        InvalidEscalation: the request is not valid.
    """
    request.validate()
    existing = _find_by_key(session, request.patient_id, request.idempotency_key)
    if existing is not None:
        return Submitted(existing, created=False)
    policy = policy or _default_policy()
    created_at = now or utcnow()
    for _attempt in range(5):
        esc = Escalation(
            id=uuid.uuid4().hex,
            reference=_new_reference(),
            patient_id=request.patient_id,
            asked_by=request.asked_by,
            reason=request.reason,
            urgency=request.urgency,
            patient_words=request.patient_words.strip(),
            transcript=[{"sender": t["sender"], "text": t["text"]} for t in request.transcript],
            entries=[
                {"section": e["section"], "id": e["id"], "display": e.get("display")}
                for e in request.entries
            ],
            channel=request.channel,
            contact_preference=request.contact_preference,
            status="new",
            idempotency_key=request.idempotency_key,
            created_at=created_at,
            response_due=created_at + timedelta(hours=policy.hours(request.urgency)),
        )
        session.add(esc)
        session.add(EscalationEvent(
            escalation_id=esc.id, actor="patient", action="created", from_status=None,
            to_status="new", detail={"channel": request.channel, "reason": request.reason,
                                     "urgency": request.urgency}, created_at=created_at,
        ))
        try:
            session.commit()
        except IntegrityError:
            # Either a concurrent retry stored the same key first, or (rarely) the reference
            # collided: the first means "already stored", the second means "try another".
            session.rollback()
            existing = _find_by_key(session, request.patient_id, request.idempotency_key)
            if existing is not None:
                return Submitted(existing, created=False)
            continue
        log.info("escalation created id=%s reason=%s urgency=%s channel=%s", esc.id, esc.reason,
                 esc.urgency, esc.channel)
        _notify(notify, _payload("escalation.created", esc))
        return Submitted(esc, created=True)
    raise RuntimeError("could not store the escalation after 5 attempts")


def create_escalation(
    session: Session,
    request: EscalationRequest,
    *,
    policy: ResponsePolicy | None = None,
    notify: Notify | None = None,
) -> Escalation:
    """Store an escalation durably (committed before returning); a retry returns the same one.

    The chat relay's entry point. See :func:`submit_escalation` for the arguments.
    """
    return submit_escalation(session, request, policy=policy, notify=notify).escalation


def escalate_red_flag(
    session: Session,
    *,
    patient_id: str,
    user_id: str | None,
    text: str,
    channel: str,
    idempotency_key: str,
    category: str | None = None,
    contact_preference: str | None = None,
    policy: ResponsePolicy | None = None,
    notify: Notify | None = None,
) -> Escalation:
    """The chat relay's red-flag path: an urgent escalation in the patient's own words.

    The relay has already shown the 999/111 signposting; this stores the escalation (committed
    before returning) so the practice sees it at the top of the queue. A re-sent message with
    the same ``idempotency_key`` returns the escalation already stored. ``category`` (the
    screen's) is listed as the entry discussed; ``contact_preference`` defaults to the channel.
    """
    request = EscalationRequest(
        patient_id=patient_id, asked_by=user_id, reason="red_flag", urgency="urgent",
        patient_words=text[:MAX_WORDS_CHARS], idempotency_key=idempotency_key[:200],
        transcript=[{"sender": "patient", "text": text[:MAX_WORDS_CHARS]}],
        entries=[{"section": "red_flag", "id": category}] if category else [],
        channel=channel,
        contact_preference=contact_preference or ("sms" if channel == "sms" else "portal"),
    )
    return create_escalation(session, request, policy=policy, notify=notify)


def _duration_words(hours: int) -> str:
    if hours <= 24 or hours % 24:
        return "1 hour" if hours == 1 else f"{hours} hours"
    days = hours // 24
    return "1 day" if days == 1 else f"{days} days"


def message_to_patient(esc: Escalation, policy: ResponsePolicy | None = None) -> str:
    """What to tell the patient once the escalation is stored (reading grade 7 or below)."""
    policy = policy or _default_policy()
    within = _duration_words(policy.hours(esc.urgency))
    if esc.urgency == "urgent":
        first = "Your message has gone to the practice as urgent. They aim to reply within"
    else:
        first = "Your question has gone to the practice. They usually reply within"
    how = {
        "portal": "You will see their reply in Messages from the practice.",
        "sms": "They will reply by text message.",
        "phone": "They may phone you.",
    }[esc.contact_preference]
    return f"{first} {within}. {how} Your reference is {esc.reference}."


# --- staff actions -------------------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "claim": (frozenset({"new", "forwarded", "replied"}), "claimed"),
    "reply": (frozenset({"new", "claimed", "forwarded", "replied"}), "replied"),
    "forward": (frozenset({"new", "claimed", "replied"}), "forwarded"),
    "resolve": (frozenset({"new", "claimed", "forwarded", "replied"}), "resolved"),
    "reopen": (frozenset({"resolved"}), "new"),
}
"""action -> (statuses it may start from, status it leads to)."""

_ACTION_WORDS = {"claim": "claim", "reply": "reply to", "forward": "forward",
                 "resolve": "resolve", "reopen": "reopen"}


def can(action: str, status: str) -> bool:
    """Whether ``action`` is allowed from ``status`` (the dashboard shows only allowed buttons)."""
    return status in TRANSITIONS[action][0]


def get_escalation(session: Session, escalation_id: str) -> Escalation:
    """Load one escalation with its events and replies.

    Raises:
        EscalationNotFound: no such id.
    """
    esc = session.scalars(
        select(Escalation)
        .where(Escalation.id == escalation_id)
        .options(selectinload(Escalation.events), selectinload(Escalation.replies))
    ).first()
    if esc is None:
        raise EscalationNotFound("No escalation with that id.")
    return esc


def _transition(
    session: Session,
    esc: Escalation,
    action: str,
    actor: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> str:
    allowed, target = TRANSITIONS[action]
    if esc.status not in allowed:
        hint = " Reopen it first." if esc.status == "resolved" else ""
        raise InvalidTransition(
            f"Cannot {_ACTION_WORDS[action]} escalation {esc.reference}: it is {esc.status}.{hint}"
        )
    before = esc.status
    esc.status = target
    if esc.seen_by_practice_at is None:
        esc.seen_by_practice_at = now
    # Appended to the relationship (not just added) so a loaded escalation stays current.
    esc.events.append(EscalationEvent(actor=actor, action=action, from_status=before,
                                      to_status=target, detail=detail or {}, created_at=now))
    return before


def _finish(session: Session, esc: Escalation, action: str, notify: Notify | None) -> Escalation:
    session.commit()
    log.info("escalation action id=%s action=%s status=%s", esc.id, action, esc.status)
    _notify(notify, _payload(f"escalation.{action}", esc))
    return esc


def claim(session: Session, escalation_id: str, actor: str, *, notify: Notify | None = None,
          now: datetime | None = None) -> Escalation:
    """Take ownership of an escalation.

    Raises:
        InvalidTransition: it is resolved, or someone else has already claimed it.
    """
    now = now or utcnow()
    esc = get_escalation(session, escalation_id)
    if esc.status == "claimed" and esc.claimed_by not in (None, actor):
        raise InvalidTransition(
            f"Escalation {esc.reference} is already claimed by another member of staff."
        )
    if esc.status == "claimed" and esc.claimed_by == actor:
        return esc  # claiming twice is harmless
    _transition(session, esc, "claim", actor, now)
    esc.claimed_by = actor
    return _finish(session, esc, "claim", notify)


def reply(
    session: Session,
    escalation_id: str,
    actor: str,
    text: str,
    *,
    send_sms: bool = False,
    notify: Notify | None = None,
    now: datetime | None = None,
) -> Reply:
    """Reply to the patient: into their portal inbox, and queued for SMS if asked.

    Raises:
        InvalidEscalation: the text is empty or too long.
        InvalidTransition: the escalation is resolved.
    """
    now = now or utcnow()
    text = text.strip()
    if not text:
        raise InvalidEscalation("Please write a reply first.")
    if len(text) > MAX_REPLY_CHARS:
        raise InvalidEscalation(f"A reply can be at most {MAX_REPLY_CHARS} characters.")
    esc = get_escalation(session, escalation_id)
    _transition(session, esc, "reply", actor, now, {"sms": send_sms})
    if esc.claimed_by is None:
        esc.claimed_by = actor
    if esc.first_response_at is None:
        esc.first_response_at = now
    message = Reply(patient_id=esc.patient_id, author_id=actor, text=text, sent_by_sms=send_sms,
                    created_at=now)
    esc.replies.append(message)
    session.flush()
    if send_sms:
        session.add(SmsOutbox(
            patient_id=esc.patient_id, reply_id=message.id, status="queued", created_at=now,
            body=f"Reply from your GP practice about {esc.reference}: {text}",
        ))
    _finish(session, esc, "reply", notify)
    return message


def forward(session: Session, escalation_id: str, actor: str, *, to: str | None = None,
            note: str | None = None, notify: Notify | None = None,
            now: datetime | None = None) -> Escalation:
    """Pass an escalation to a clinician (``to`` a clinician's user id, or any clinician).

    Raises:
        InvalidTransition: it is resolved or already forwarded.
    """
    now = now or utcnow()
    esc = get_escalation(session, escalation_id)
    _transition(session, esc, "forward", actor, now, {"to": to, "note": (note or "").strip()})
    esc.forwarded_to = to
    esc.claimed_by = to
    return _finish(session, esc, "forward", notify)


def resolve(session: Session, escalation_id: str, actor: str, outcome: str, *,
            note: str | None = None, notify: Notify | None = None,
            now: datetime | None = None) -> Escalation:
    """Close an escalation with an outcome from :data:`OUTCOMES`.

    Raises:
        InvalidEscalation: unknown outcome.
        InvalidTransition: it is already resolved.
    """
    now = now or utcnow()
    if outcome not in OUTCOMES:
        raise InvalidEscalation(f"outcome must be one of {', '.join(OUTCOMES)}")
    esc = get_escalation(session, escalation_id)
    _transition(session, esc, "resolve", actor, now, {"outcome": outcome})
    esc.outcome = outcome
    esc.outcome_note = (note or "").strip() or None
    esc.resolved_at = now
    if esc.first_response_at is None:
        esc.first_response_at = now  # e.g. the practice phoned the patient
    if esc.claimed_by is None:
        esc.claimed_by = actor
    return _finish(session, esc, "resolve", notify)


def reopen(session: Session, escalation_id: str, actor: str, *, reason: str | None = None,
           notify: Notify | None = None, now: datetime | None = None) -> Escalation:
    """Put a resolved escalation back in the queue (unclaimed, status new).

    Raises:
        InvalidTransition: it is not resolved.
    """
    now = now or utcnow()
    esc = get_escalation(session, escalation_id)
    _transition(session, esc, "reopen", actor, now, {"reason": (reason or "").strip()})
    esc.resolved_at = None
    esc.outcome = None
    esc.outcome_note = None
    esc.claimed_by = None
    esc.forwarded_to = None
    return _finish(session, esc, "reopen", notify)


def perform(session: Session, action: str, escalation_id: str, actor: str,
            **kwargs: Any) -> Any:
    """Run one staff action by name (``claim``, ``reply``, ``forward``, ``resolve``, ``reopen``).

    Raises:
        InvalidEscalation: unknown action, or the action's own validation failed.
        InvalidTransition: not allowed from the current status.
    """
    actions: dict[str, Callable[..., Any]] = {
        "claim": claim, "reply": reply, "forward": forward, "resolve": resolve, "reopen": reopen,
    }
    if action not in actions:
        raise InvalidEscalation(f"Unknown action {action!r}.")
    return actions[action](session, escalation_id, actor, **kwargs)


def mark_seen(session: Session, escalation_id: str, actor: str,
              now: datetime | None = None) -> Escalation:
    """Record that staff opened the escalation (the patient is shown "read by the practice")."""
    now = now or utcnow()
    esc = get_escalation(session, escalation_id)
    esc.events.append(EscalationEvent(actor=actor, action="viewed", from_status=esc.status,
                                      to_status=esc.status, detail={}, created_at=now))
    if esc.seen_by_practice_at is None:
        esc.seen_by_practice_at = now
    session.commit()
    return esc


# --- the queue -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilters:
    """What the receptionist narrowed the queue to (None: everything open)."""

    urgency: str | None = None
    reason: str | None = None
    status: str | None = None  # "resolved" shows closed ones; None shows every open status

    def cleaned(self) -> QueueFilters:
        """The same filters with unknown values dropped (a bad query string shows everything)."""
        return QueueFilters(
            urgency=self.urgency if self.urgency in URGENCIES else None,
            reason=self.reason if self.reason in REASONS else None,
            status=self.status if self.status in STATUSES else None,
        )


@dataclass(frozen=True)
class QueueItem:
    """One row of the queue, with its SLA state worked out at ``now``."""

    escalation: Escalation
    sla: str  # on_time | due_soon | overdue | answered | answered_late
    minutes_left: int  # negative when overdue
    age_minutes: int


def sla_state(esc: Escalation, now: datetime) -> str:
    """Where the escalation stands against its response time.

    ``answered`` / ``answered_late`` once the practice has responded; otherwise ``overdue`` past
    ``response_due``, ``due_soon`` in the last quarter of the window (at least 30 minutes), else
    ``on_time``.
    """
    if esc.first_response_at is not None:
        return "answered" if esc.first_response_at <= esc.response_due else "answered_late"
    if now >= esc.response_due:
        return "overdue"
    window = esc.response_due - esc.created_at
    warn = max(window / 4, timedelta(minutes=30))
    return "due_soon" if esc.response_due - now <= warn else "on_time"


def queue_item(esc: Escalation, now: datetime | None = None) -> QueueItem:
    """One escalation with its SLA state at ``now``."""
    now = now or utcnow()
    return QueueItem(
        escalation=esc,
        sla=sla_state(esc, now),
        minutes_left=int((esc.response_due - now).total_seconds() // 60),
        age_minutes=int((now - esc.created_at).total_seconds() // 60),
    )


def queue(
    session: Session,
    filters: QueueFilters | None = None,
    *,
    now: datetime | None = None,
    limit: int = 200,
) -> list[QueueItem]:
    """Open escalations (or those of ``filters.status``), most urgent first, then oldest first."""
    now = now or utcnow()
    filters = (filters or QueueFilters()).cleaned()
    rank = case(URGENCY_RANK, value=Escalation.urgency, else_=9)
    query = select(Escalation)
    if filters.status:
        query = query.where(Escalation.status == filters.status)
    else:
        query = query.where(Escalation.status != "resolved")
    if filters.urgency:
        query = query.where(Escalation.urgency == filters.urgency)
    if filters.reason:
        query = query.where(Escalation.reason == filters.reason)
    rows = session.scalars(
        query.order_by(rank, Escalation.created_at, Escalation.id).limit(limit)
    ).all()
    return [queue_item(e, now) for e in rows]


def queue_counts(session: Session) -> dict[str, int]:
    """Open escalations by urgency (for the dashboard's summary line)."""
    rows = session.execute(
        select(Escalation.urgency, func.count())
        .where(Escalation.status != "resolved")
        .group_by(Escalation.urgency)
    ).all()
    counts = {u: 0 for u in URGENCIES}
    counts.update({u: int(n) for u, n in rows})
    return counts


# --- the patient's side --------------------------------------------------------------------------

def escalations_for_patient(
    session: Session, patient_id: str, *, user_id: str | None = None, own_record: bool = True
) -> list[Escalation]:
    """Escalations a person may follow, newest first, with their replies.

    Args:
        session: a session.
        patient_id: whose record they were about.
        user_id: the person asking; with ``own_record`` False (a proxy) only the escalations
            this user sent are listed.
        own_record: True when the person is the patient themselves: they also see escalations
            about their record with no recorded sender (e.g. made by staff tools).
    """
    query = select(Escalation).where(Escalation.patient_id == patient_id)
    if user_id is not None:
        mine = Escalation.asked_by == user_id
        query = query.where(mine | Escalation.asked_by.is_(None) if own_record else mine)
    return list(session.scalars(
        query.options(selectinload(Escalation.replies)).order_by(Escalation.created_at.desc())
    ).all())


def escalations_asked_by(session: Session, user_id: str) -> list[Escalation]:
    """Everything one person sent, about any record (a proxy's inbox), newest first."""
    return list(session.scalars(
        select(Escalation).where(Escalation.asked_by == user_id)
        .options(selectinload(Escalation.replies)).order_by(Escalation.created_at.desc())
    ).all())


def mark_replies_read(session: Session, escalations: Iterable[Escalation],
                      now: datetime | None = None) -> int:
    """Mark the unread replies on these escalations as read; returns how many were unread."""
    now = now or utcnow()
    unread = [r for e in escalations for r in e.replies if r.read_by_patient_at is None]
    for message in unread:
        message.read_by_patient_at = now
    session.commit()
    return len(unread)


def patient_status_words(esc: Escalation) -> str:
    """The escalation's status as the patient should read it."""
    if esc.status == "resolved":
        return "Closed"
    if esc.replies:
        return "The practice has replied"
    if esc.status == "forwarded":
        return "Passed to a clinician"
    if esc.seen_by_practice_at is not None:
        return "Read by the practice"
    return "Sent. Not read yet"


@dataclass(frozen=True)
class FeedbackRequest:
    """A patient's rating of one explanation."""

    patient_id: str
    conversation_id: str
    helpful: bool
    glossary_key: str | None = None
    record_entry: str | None = None


def record_feedback(session: Session, request: FeedbackRequest,
                    now: datetime | None = None) -> ExplanationFeedback:
    """Store feedback on an explanation and commit.

    Raises:
        InvalidEscalation: the conversation id is missing or a field is too long.
    """
    if not request.conversation_id or len(request.conversation_id) > 128:
        raise InvalidEscalation("conversation_id is required (at most 128 characters)")
    for name in ("glossary_key", "record_entry"):
        value = getattr(request, name)
        if value is not None and len(value) > 200:
            raise InvalidEscalation(f"{name} must be at most 200 characters")
    row = ExplanationFeedback(
        patient_id=request.patient_id, conversation_id=request.conversation_id,
        helpful=request.helpful, glossary_key=request.glossary_key,
        record_entry=request.record_entry, created_at=now or utcnow(),
    )
    session.add(row)
    session.commit()
    return row

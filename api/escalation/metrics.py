"""The practice's numbers: who uses the assistant, what it answers, what reaches the practice.

The chat relay calls :func:`record_turn` once per turn (no message text is stored, and the
conversation id is hashed again here). :func:`practice_numbers` adds them up for the dashboard.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.escalation.models import (
    REASONS,
    URGENCIES,
    ChatTurn,
    Escalation,
    ExplanationFeedback,
)


def conversation_hash(conversation_id: str) -> str:
    """A non-reversible id for a conversation (the relay's id may embed a channel prefix)."""
    return hashlib.sha256(conversation_id.encode()).hexdigest()[:32]


def record_turn(
    session: Session,
    *,
    patient_id: str,
    conversation_id: str,
    outcome: str,
    escalated: bool,
    now: datetime | None = None,
) -> ChatTurn:
    """Record one chat turn and commit.

    Args:
        session: a session, committed here.
        patient_id: whose record the turn was about.
        conversation_id: the relay's conversation id (hashed before storing).
        outcome: what happened, e.g. ``answered``, ``red_flag``, ``escalated`` or an intent name.
        escalated: whether the turn sent something to the practice.
        now: the time to stamp (tests).
    """
    turn = ChatTurn(patient_id=patient_id, conversation_hash=conversation_hash(conversation_id),
                    outcome=outcome[:64], escalated=escalated, created_at=now or utcnow())
    session.add(turn)
    session.commit()
    return turn


@dataclass(frozen=True)
class Period:
    """Usage over one period."""

    label: str
    active_patients: int
    conversations: int
    turns: int
    answered_without_escalation: int  # turns the assistant handled itself

    @property
    def answered_share(self) -> int:
        """Percent of turns answered without escalation."""
        return round(100 * self.answered_without_escalation / self.turns) if self.turns else 0


@dataclass(frozen=True)
class ResponseTimes:
    """Minutes from escalation to the practice's first response, for one urgency."""

    urgency: str
    responded: int
    median_minutes: int | None
    p90_minutes: int | None
    within_target: int


@dataclass(frozen=True)
class UnclearItem:
    """An explanation patients marked unhelpful: a row of the content-review worklist."""

    glossary_key: str | None
    record_entry: str | None
    unhelpful: int
    helpful: int
    last_marked: datetime


@dataclass(frozen=True)
class Numbers:
    """Everything on the practice numbers page."""

    periods: list[Period]
    by_reason: dict[str, int]
    by_urgency: dict[str, int]
    response_times: list[ResponseTimes]
    unclear: list[UnclearItem]
    since: datetime


def _period(session: Session, label: str, since: datetime) -> Period:
    active = session.scalar(
        select(func.count(func.distinct(ChatTurn.patient_id))).where(ChatTurn.created_at >= since)
    ) or 0
    conversations = session.scalar(
        select(func.count(func.distinct(ChatTurn.conversation_hash)))
        .where(ChatTurn.created_at >= since)
    ) or 0
    turns = session.scalar(select(func.count()).where(ChatTurn.created_at >= since)) or 0
    answered = session.scalar(
        select(func.count()).where(ChatTurn.created_at >= since, ChatTurn.escalated.is_(False))
    ) or 0
    return Period(label, int(active), int(conversations), int(turns), int(answered))


def _percentile(sorted_values: list[int], share: float) -> int | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


def practice_numbers(session: Session, now: datetime | None = None, days: int = 30) -> Numbers:
    """Add up usage (this week and this month), escalations, response times and unclear items."""
    now = now or utcnow()
    since = now - timedelta(days=days)
    periods = [
        _period(session, "Last 7 days", now - timedelta(days=7)),
        _period(session, f"Last {days} days", since),
    ]
    by_reason = {r: 0 for r in REASONS}
    by_urgency = {u: 0 for u in URGENCIES}
    for reason, urgency, count in session.execute(
        select(Escalation.reason, Escalation.urgency, func.count())
        .where(Escalation.created_at >= since)
        .group_by(Escalation.reason, Escalation.urgency)
    ).all():
        by_reason[reason] = by_reason.get(reason, 0) + int(count)
        by_urgency[urgency] = by_urgency.get(urgency, 0) + int(count)

    minutes: dict[str, list[int]] = {u: [] for u in URGENCIES}
    on_time: dict[str, int] = {u: 0 for u in URGENCIES}
    for urgency, created, first, due in session.execute(
        select(Escalation.urgency, Escalation.created_at, Escalation.first_response_at,
               Escalation.response_due)
        .where(Escalation.created_at >= since, Escalation.first_response_at.is_not(None))
    ).all():
        minutes.setdefault(urgency, []).append(int((first - created).total_seconds() // 60))
        on_time[urgency] = on_time.get(urgency, 0) + (1 if first <= due else 0)
    times = []
    for urgency in URGENCIES:
        values = sorted(minutes[urgency])
        times.append(ResponseTimes(urgency, len(values), _percentile(values, 0.5),
                                   _percentile(values, 0.9), on_time[urgency]))

    rows = session.execute(
        select(
            ExplanationFeedback.glossary_key,
            ExplanationFeedback.record_entry,
            func.count(),
            func.max(ExplanationFeedback.created_at),
        )
        .where(ExplanationFeedback.created_at >= since, ExplanationFeedback.helpful.is_(False))
        .group_by(ExplanationFeedback.glossary_key, ExplanationFeedback.record_entry)
        .order_by(func.count().desc())
        .limit(50)
    ).all()
    unclear = []
    for key, entry, count, last in rows:
        helpful = session.scalar(
            select(func.count()).where(
                ExplanationFeedback.created_at >= since,
                ExplanationFeedback.helpful.is_(True),
                ExplanationFeedback.glossary_key.is_(None) if key is None
                else ExplanationFeedback.glossary_key == key,
                ExplanationFeedback.record_entry.is_(None) if entry is None
                else ExplanationFeedback.record_entry == entry,
            )
        ) or 0
        if isinstance(last, datetime) and last.tzinfo is None:
            last = last.replace(tzinfo=timezone.utc)  # max() bypasses the column type on SQLite
        unclear.append(UnclearItem(key, entry, int(count), int(helpful), last))
    return Numbers(periods, by_reason, by_urgency, times, unclear, since)

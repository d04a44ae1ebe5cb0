"""Tables of the escalation queue: escalations, their audit events, replies, the SMS outbox,
feedback on explanations and chat turns (for the practice's numbers).

Patient ids are plain strings (the records area owns the ``patients`` table); no foreign key is
declared to it so the queue keeps working while a record is being re-imported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db import Base, UtcDateTime

REASONS = ("red_flag", "clinical_question", "record_error", "unresolved")
URGENCIES = ("urgent", "soon", "routine")
STATUSES = ("new", "claimed", "forwarded", "replied", "resolved")
CHANNELS = ("portal", "sms")
CONTACT_PREFERENCES = ("portal", "sms", "phone")




class Escalation(Base):
    """A question or concern passed to the practice, in the patient's own words."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("patient_id", "idempotency_key", name="uq_escalations_patient_key"),
        Index("ix_escalations_status_urgency_created", "status", "urgency", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    # Who asked: the patient's own user, or a proxy's (so a proxy sees the replies it is owed).
    asked_by: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16))
    patient_words: Mapped[str] = mapped_column(Text)
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    entries: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    channel: Mapped[str] = mapped_column(String(16))
    contact_preference: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new")
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    forwarded_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    response_due: Mapped[datetime] = mapped_column(UtcDateTime())
    seen_by_practice_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    events: Mapped[list[EscalationEvent]] = relationship(
        back_populates="escalation", order_by="EscalationEvent.id", cascade="all, delete-orphan"
    )
    replies: Mapped[list[Reply]] = relationship(
        back_populates="escalation", order_by="Reply.id", cascade="all, delete-orphan"
    )


class EscalationEvent(Base):
    """One audited action on an escalation: who did what, when."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[str] = mapped_column(ForeignKey("escalations.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # a staff user id, "patient" or "system"
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    escalation: Mapped[Escalation] = relationship(back_populates="events")


class Reply(Base):
    """The practice's reply, shown in the patient's portal inbox (and optionally sent by SMS)."""

    __tablename__ = "escalation_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[str] = mapped_column(ForeignKey("escalations.id"), index=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    author_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    sent_by_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    read_by_patient_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    escalation: Mapped[Escalation] = relationship(back_populates="replies")


class SmsOutbox(Base):
    """An SMS waiting for the SMS gateway worker (which looks the number up when it sends)."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_replies.id"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|sent|failed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ExplanationFeedback(Base):
    """A patient's "was this helpful?" on an explanation: the unhelpful ones feed content review."""

    __tablename__ = "explanation_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    conversation_id: Mapped[str] = mapped_column(String(128))
    helpful: Mapped[bool] = mapped_column(Boolean)
    glossary_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    record_entry: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class ChatTurn(Base):
    """One chat turn, without its text: who (patient id), which conversation (hashed), outcome."""

    __tablename__ = "chat_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    conversation_hash: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(64))  # e.g. answered, red_flag, escalated, intent
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

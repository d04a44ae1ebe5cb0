"""Writing and reading the audit log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import CHANNELS, OUTCOMES, AuditEvent


def record_access(
    session: Session,
    *,
    user_id: str | None,
    role: str,
    patient_id: str,
    section: str,
    channel: str,
    outcome: str,
) -> AuditEvent:
    """Add one audit event to the session (the caller commits)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    event = AuditEvent(user_id=user_id, role=role, patient_id=patient_id, section=section,
                       channel=channel, outcome=outcome)
    session.add(event)
    session.flush()
    return event


def events_for_patient(session: Session, patient_id: str, limit: int = 200) -> Sequence[AuditEvent]:
    """The most recent audit events about one patient's record, newest first."""
    stmt = (select(AuditEvent).where(AuditEvent.patient_id == patient_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return session.scalars(stmt).all()


def viewer_words(role: str, channel: str) -> str:
    """Who viewed the record, in words a patient understands."""
    if channel in ("bot", "sms"):
        return "the assistant, in a conversation"
    return {"patient": "you", "proxy": "someone with proxy access",
            "receptionist": "practice staff", "clinician": "a clinician"}.get(role, role)

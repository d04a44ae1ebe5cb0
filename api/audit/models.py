"""The audit log: every read of a record, allowed or denied."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UtcDateTime, utcnow

CHANNELS = ("portal", "sms", "api", "bot")
OUTCOMES = ("allowed", "denied")


class AuditEvent(Base):
    """Who looked at whose record, which part, when, through which channel, and the outcome.

    Holds ids only (no names, no NHS numbers), so the log itself identifies no-one.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    role: Mapped[str] = mapped_column(String(20))
    # Not a foreign key: a denied attempt on any id is worth keeping.
    patient_id: Mapped[str] = mapped_column(String(36), index=True)
    section: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(10))
